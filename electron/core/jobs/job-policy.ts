import type { JobPolicy } from '../../../shared/api/entities';

/**
 * What a single "Assign firmware" from the device page gets: no limit on concurrent downloads,
 * 10 minutes without progress before TIMED_OUT, no automatic retry (the technician sees the
 * failure and decides), never halted.
 */
export const SINGLE_ASSIGNMENT_POLICY: JobPolicy = {
  concurrency: 0,
  timeoutSec: 600,
  retries: 0,
  retryDelaySec: 2,
  haltAfterFailures: null,
  haltAfterPercent: null,
};

/** Failed for good: no attempt left. */
export function isFinalFailure(state: string, attempts: number, policy: JobPolicy): boolean {
  return (state === 'FAILED' || state === 'TIMED_OUT') && attempts > policy.retries;
}

/** The reason to auto-pause a job, or null while failures stay under its thresholds. */
export function haltReason(
  finalFailures: number,
  devices: number,
  policy: JobPolicy,
): string | null {
  if (finalFailures === 0) return null;
  if (policy.haltAfterFailures !== null && finalFailures >= policy.haltAfterFailures) {
    return `Auto-paused: ${finalFailures} of ${devices} devices failed (limit ${policy.haltAfterFailures})`;
  }
  const percent = (finalFailures / devices) * 100;
  if (policy.haltAfterPercent !== null && percent >= policy.haltAfterPercent) {
    return `Auto-paused: ${finalFailures} of ${devices} devices failed (${percent.toFixed(0)} % ≥ ${policy.haltAfterPercent} %)`;
  }
  return null;
}
