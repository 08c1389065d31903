/**
 * Characters that make a terminal, a log viewer or a table obey instead of display: C0 controls
 * (ESC starts the sequences that clear a screen or move the cursor; CR and LF start forged lines),
 * DEL, C1 controls (0x9b is a one-byte CSI on some terminals), the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates that reorder what is shown.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function hasControlChars(text: string): boolean {
  return CONTROL.test(text);
}

/** Each control character as a visible escape (`\n`, `\x1b`, `\u202e`); everything else unchanged. */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL_ALL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
