import type { Execution, Job } from '../../../shared/api/entities';

/**
 * Packages that just failed: their newest job has failed devices, or an update of theirs ended
 * FAILED or TIMED_OUT and was not delivered since. A new job must not offer one by default.
 */
export function justFailedPackageIds(
  jobs: readonly Job[],
  executions: readonly Execution[],
): Set<string> {
  const failed = new Set<string>();
  const newestJob = new Map<string, Job>();
  for (const job of jobs) {
    if (job.packageId === null) continue;
    const seen = newestJob.get(job.packageId);
    if (!seen || job.createdAt > seen.createdAt) newestJob.set(job.packageId, job);
  }
  for (const [id, job] of newestJob)
    if (job.counts.failed + job.counts.retrying > 0) failed.add(id);
  for (const e of executions)
    if (e.packageId && (e.state === 'FAILED' || e.state === 'TIMED_OUT')) failed.add(e.packageId);
  return failed;
}
