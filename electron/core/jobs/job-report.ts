import type { Attempt, DeviceTransport, Execution, Job } from '../../../shared/api/entities';
import { csvText } from '../../../shared/text/csv';

export interface JobReportRow {
  device: string;
  start: string | null;
  end: string | null;
  durationSec: number | null;
  bytes: number;
  attempts: number;
  result: string;
  /** The first attempt's error: a retry that fails otherwise hides the real cause. */
  firstError: string;
  firstErrorBy: string;
  lastError: string;
  lastErrorBy: string;
  /** How the device last reached the station (mqtt, http…); empty if it never called. */
  transport: string;
}

/** Each attempt with its own error (the JSON report only: one CSV line per device). */
export interface JobReportAttempt {
  number: number;
  start: string;
  end: string | null;
  bytes: number;
  outcome: string | null;
  error: string | null;
  errorBy: string | null;
  note: string | null;
}

/** Who said it, in the report's words: the device's own fw_error, or the station's verdict. */
export function errorSourceText(source: Attempt['reportedBy']): string {
  return source === 'DEVICE' ? 'device (fw_error)' : source === 'STATION' ? 'station' : '';
}

/** One row per device: when its (last) delivery started and ended, and how it ended. */
export function jobReportRows(
  executions: readonly Execution[],
  transportOf: (deviceId: string) => DeviceTransport | null,
): JobReportRow[] {
  return executions.map((e) => {
    const initiated = e.history.filter((h) => h.state === 'INITIATED').at(-1)?.at ?? null;
    const end = e.finishedAt;
    const failures = e.attemptLog.filter((a) => a.error !== null);
    const first = failures[0];
    const last = failures.at(-1);
    return {
      device: e.deviceName,
      start: initiated === null ? null : new Date(initiated).toISOString(),
      end: end === null ? null : new Date(end).toISOString(),
      durationSec:
        initiated !== null && end !== null ? Math.round((end - initiated) / 100) / 10 : null,
      bytes: e.bytesServed,
      attempts: e.attempts,
      result: e.state,
      firstError: first?.error ?? '',
      firstErrorBy: errorSourceText(first?.reportedBy ?? null),
      lastError: last?.error ?? '',
      lastErrorBy: errorSourceText(last?.reportedBy ?? null),
      transport: transportOf(e.deviceId) ?? '',
    };
  });
}

export function jobReportAttempts(execution: Execution): JobReportAttempt[] {
  return execution.attemptLog.map((a) => ({
    number: a.number,
    start: new Date(a.startedAt).toISOString(),
    end: a.endedAt === null ? null : new Date(a.endedAt).toISOString(),
    bytes: a.bytesServed,
    outcome: a.outcome,
    error: a.error,
    errorBy: a.reportedBy === null ? null : errorSourceText(a.reportedBy),
    note: a.note,
  }));
}

const CSV_COLUMNS: readonly (keyof JobReportRow)[] = [
  'device',
  'start',
  'end',
  'durationSec',
  'bytes',
  'attempts',
  'result',
  'firstError',
  'firstErrorBy',
  'lastError',
  'lastErrorBy',
  'transport',
];

/** Device names and errors come from the site and from devices: cells are neutralised (shared/text/csv). */
export function jobReportCsv(rows: readonly JobReportRow[]): string {
  return csvText(
    CSV_COLUMNS,
    rows.map((row) => CSV_COLUMNS.map((c) => row[c])),
  );
}

export function jobReportJson(
  job: Job,
  executions: readonly Execution[],
  rows: readonly JobReportRow[],
): string {
  const devices = rows.map((row, i) => ({
    ...row,
    attemptLog: executions[i] ? jobReportAttempts(executions[i]) : [],
  }));
  return `${JSON.stringify({ job, devices }, null, 2)}\n`;
}
