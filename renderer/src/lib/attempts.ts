import type { Attempt, Execution } from '../../../shared/api/entities';

/** Whose word an error is: the device's fw_error, or the station's time-out or check. */
export function errorSourceLabel(attempt: Pick<Attempt, 'reportedBy' | 'outcome'>): string {
  if (attempt.reportedBy === 'DEVICE') return 'Device error (fw_error)';
  return attempt.outcome === 'TIMED_OUT' ? 'Station time-out' : 'Station check';
}

/** The first and the last failed attempt: a retry's failure must not hide the first cause. */
export function failedAttempts(execution: Execution): {
  first: Attempt | null;
  last: Attempt | null;
  count: number;
} {
  const failed = execution.attemptLog.filter((a) => a.error !== null);
  return { first: failed[0] ?? null, last: failed.at(-1) ?? null, count: failed.length };
}

/** "Attempt 2 of 3". */
export function attemptTitle(attempt: Attempt, total: number): string {
  return total > 1 ? `Attempt ${attempt.number} of ${total}` : 'Attempt 1';
}
