import { escapeControlChars } from './control-chars';

/**
 * A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV Injection"):
 * = + - @, and tab or carriage return, which some strip before looking. Leading spaces are
 * skipped by some spreadsheets too, so they do not hide a formula either.
 */
const FORMULA_START = /^(?:[\t\r]| *[=+\-@])/;

/**
 * One CSV field from any value: text is shown with control characters escaped (a device-reported
 * string must not forge rows or carry terminal sequences), a would-be formula is prefixed with a
 * single quote and quoted, and quotes, commas and line ends are quoted as RFC 4180 says.
 * Numbers are written as they are: they are data, not text a spreadsheet could run.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  const raw = String(value);
  const formula = FORMULA_START.test(raw);
  const text = `${formula ? "'" : ''}${escapeControlChars(raw)}`;
  return formula || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: the header row, then the rows, CRLF line ends (what spreadsheets expect). */
export function csvText(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [headers, ...rows].map((row) => row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
