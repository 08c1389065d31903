import { csvText } from '../../../shared/text/csv';
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

/** Device names and errors come from the site and from devices: cells are neutralised (shared/text/csv). */
export function jobReportCsv(rows: readonly JobReportRow[]): string {
  return csvText(
    CSV_COLUMNS,
    rows.map((row) => CSV_COLUMNS.map((c) => row[c])),
  );
}

export function jobReportJson(job: Job, rows: readonly JobReportRow[]): string {
  return `${JSON.stringify({ job, devices: rows }, null, 2)}\n`;
}
