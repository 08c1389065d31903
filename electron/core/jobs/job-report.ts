import type { Execution, Job } from '../../../shared/api/entities';

export interface JobReportRow {
  device: string;
  start: string | null;
  end: string | null;
  durationSec: number | null;
  bytes: number;
  attempts: number;
  result: string;
  error: string;
}

/** One row per device: when its (last) delivery started and ended, and how it ended. */
export function jobReportRows(executions: readonly Execution[]): JobReportRow[] {
  return executions.map((e) => {
    const initiated = e.history.filter((h) => h.state === 'INITIATED').at(-1)?.at ?? null;
    const end = e.finishedAt;
    return {
      device: e.deviceName,
      start: initiated === null ? null : new Date(initiated).toISOString(),
      end: end === null ? null : new Date(end).toISOString(),
      durationSec:
        initiated !== null && end !== null ? Math.round((end - initiated) / 100) / 10 : null,
      bytes: e.bytesServed,
      attempts: e.attempts,
      result: e.state,
      error: e.error ?? '',
    };
  });
}

const CSV_COLUMNS: readonly (keyof JobReportRow)[] = [
  'device',
  'start',
  'end',
  'durationSec',
  'bytes',
  'attempts',
  'result',
  'error',
];

/** RFC 4180: quoted when needed, quotes doubled, CRLF line ends (what spreadsheets expect). */
export function jobReportCsv(rows: readonly JobReportRow[]): string {
  const cell = (value: unknown): string => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    CSV_COLUMNS.join(','),
    ...rows.map((row) => CSV_COLUMNS.map((c) => cell(row[c])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

export function jobReportJson(job: Job, rows: readonly JobReportRow[]): string {
  return `${JSON.stringify({ job, devices: rows }, null, 2)}\n`;
}
