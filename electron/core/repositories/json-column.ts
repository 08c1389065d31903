/** A JSON column's value; null when the text is not JSON (a hand-edited or damaged row). */
export function parseJsonColumn(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
