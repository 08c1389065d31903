import type { Execution, Job } from '../../../shared/api/entities';
import { jobFigures } from '../lib/job-figures';

/** What the header shows about updates: the running jobs' own figures, summed. */
export interface JobSummary {
  /** Devices still to finish in running jobs (queued, in flight or being retried). */
  active: number;
  /** Devices waiting in paused jobs: not "running". */
  paused: number;
  pausedJobs: number;
  failed: number;
  bytesServed: number;
  totalBytes: number;
  /** 0..100, floored like the job rows, from the same figures (jobFigures). */
  percent: number;
}

/** Executions grouped by their job, for jobFigures. */
export function executionsByJob(executions: readonly Execution[]): Map<string, Execution[]> {
  const byJob = new Map<string, Execution[]>();
  for (const e of executions) {
    if (e.jobId === null) continue;
    let list = byJob.get(e.jobId);
    if (!list) byJob.set(e.jobId, (list = []));
    list.push(e);
  }
  return byJob;
}

export function summariseJobs(
  jobs: readonly Job[],
  byJob: ReadonlyMap<string, readonly Execution[]>,
  now: number,
): JobSummary {
  const summary: JobSummary = {
    active: 0,
    paused: 0,
    pausedJobs: 0,
    failed: 0,
    bytesServed: 0,
    totalBytes: 0,
    percent: 0,
  };
  for (const job of jobs) {
    const { queued, active, retrying, failed } = job.counts;
    const waiting = queued + active + retrying;
    if (job.status === 'PAUSED') {
      summary.paused += waiting;
      summary.pausedJobs += 1;
      continue;
    }
    if (job.status !== 'RUNNING' || waiting === 0) continue;
    const figures = jobFigures(job, byJob.get(job.id), now);
    summary.active += waiting;
    summary.failed += failed;
    summary.bytesServed += figures.bytesServed;
    summary.totalBytes += figures.bytesTotal;
  }
  summary.percent =
    summary.totalBytes > 0 ? Math.floor((summary.bytesServed / summary.totalBytes) * 100) : 0;
  return summary;
}
