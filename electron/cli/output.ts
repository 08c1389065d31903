import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import { escapeControlChars } from '../../shared/text/control-chars';

/** Machine-readable output: exactly one JSON document on stdout, nothing else. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Text for people: device-reported strings (firmware titles, errors) may carry terminal escape
 * sequences, so every control character but our own line breaks is shown escaped, not obeyed.
 */
export function forTerminal(text: string): string {
  return text.split('\n').map(escapeControlChars).join('\n');
}

/** A package type as a sentence starts it: "Firmware", "Software". */
export const TYPE_WORD: Record<OtaPackageType, string> = {
  FIRMWARE: 'Firmware',
  SOFTWARE: 'Software',
};

export function printLine(text = ''): void {
  process.stdout.write(`${forTerminal(text)}\n`);
}

/** A plain text table: a header row, then one row per item, columns padded to their widest cell. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  // A cell is one line: its own line breaks are escaped too, so no cell can forge a row.
  const cells = rows.map((row) => row.map(escapeControlChars));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** A table, or a friendly line when there is nothing to show. */
export function printTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  emptyMessage: string,
): void {
  printLine(rows.length === 0 ? emptyMessage : formatTable(headers, rows));
}

export function formatTime(ms: number | null): string {
  return ms === null
    ? '-'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}
