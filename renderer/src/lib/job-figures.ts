import type { Execution, Job, JobPolicy } from '../../../shared/api/entities';
import { jobEtaSeconds, SILENT_AFTER_MS } from '../../../shared/jobs/job-eta';
import { FINAL_STATES } from '../../../shared/protocol/states';
import { formatCount, formatDuration } from './format';

export interface JobFigures {
  bytesServed: number;
  bytesTotal: number;
  /** 0..100 of the job's bytes; never goes back (see Job.bytesServed). */
  percent: number;
  /** Devices with a final outcome (updated, failed for good, canceled). */
  done: number;
  etaSeconds: number | null;
}

/** Still to finish: running, paused or scheduled (it needs the technician). */
export function isOpenJob(job: Job): boolean {
  return job.status === 'RUNNING' || job.status === 'PAUSED' || job.status === 'SCHEDULED';
}

/** How a job ended or stands, in the words and tone the technician reads everywhere. */
export interface JobOutcome {
  /** "COMPLETED", "Completed with failures", "CANCELED"… */
  label: string;
  tone: 'scheduled' | 'running' | 'paused' | 'completed' | 'failures' | 'canceled';
}

export function jobOutcome(job: Job): JobOutcome {
  const failed = job.counts.failed > 0;
  switch (job.status) {
    case 'COMPLETED':
      return failed
        ? { label: 'Completed with failures', tone: 'failures' }
        : { label: 'COMPLETED', tone: 'completed' };
    case 'CANCELED':
      return { label: 'CANCELED', tone: 'canceled' };
    case 'PAUSED':
      return { label: 'PAUSED', tone: 'paused' };
    case 'SCHEDULED':
      return { label: 'SCHEDULED', tone: 'scheduled' };
    default:
      return { label: 'RUNNING', tone: 'running' };
  }
}

/** A device's share of the job's progress: whole once settled, else its furthest attempt. */
export function progressBytesOf(e: Execution, retries: number): number {
  const settled =
    e.state === 'UPDATED' ||
    e.state === 'CANCELED' ||
    ((e.state === 'FAILED' || e.state === 'TIMED_OUT') && e.attempts > retries);
  if (settled) return e.size;
  let furthest = e.bytesServed;
  for (const a of e.attemptLog) furthest = Math.max(furthest, a.bytesServed);
  return Math.min(furthest, e.size);
}

/**
 * The one place a job's figures come from (its row, the header, the Devices page). The station
 * sends a job again when a device changes state, not for every chunk: while the page holds all
 * of the job's updates, their bytes (which move with every batch) keep the figure and the ETA
 * current between two job events, by the station's own rules.
 */
export function jobFigures(
  job: Job,
  executions: readonly Execution[] | undefined,
  now: number,
): JobFigures {
  const { counts, bytesTotal } = job;
  const open = isOpenJob(job);
  // A settled device has had its whole share, even if its byte count is still on its way (the
  // station records bytes in batches apart from state changes). One package per job, so each
  // device's share is the same.
  const perDevice = counts.total > 0 ? bytesTotal / counts.total : 0;
  const settled = counts.updated + counts.failed + counts.canceled;
  let bytesServed = Math.max(job.bytesServed, settled * perDevice);
  let silentDeadline: number | null = null;
  if (executions && executions.length === counts.total) {
    const retries = open ? job.policy.retries : -1;
    let live = 0;
    for (const e of executions) {
      live += progressBytesOf(e, retries);
      const inFlight = e.finishedAt === null && e.state !== 'QUEUED' && !FINAL_STATES.has(e.state);
      if (inFlight && job.policy.timeoutSec > 0 && now - e.updatedAt >= SILENT_AFTER_MS)
        silentDeadline = Math.max(silentDeadline ?? 0, e.updatedAt + job.policy.timeoutSec * 1000);
    }
    // Either figure may be the fresher one (byte and state news travel in separate batches).
    bytesServed = Math.max(bytesServed, live);
  }
  bytesServed = Math.min(bytesServed, bytesTotal);
  const percent = bytesTotal > 0 ? Math.min(100, (bytesServed / bytesTotal) * 100) : 0;
  const running = job.status === 'RUNNING' && counts.queued + counts.active + counts.retrying > 0;
  let etaSeconds: number | null = null;
  if (running) {
    etaSeconds =
      executions && executions.length === counts.total
        ? jobEtaSeconds({ bytesServed, bytesTotal, startedAt: job.startedAt, now, silentDeadline })
        : job.etaSeconds;
  }
  return {
    bytesServed,
    bytesTotal,
    percent,
    done: settled,
    etaSeconds,
  };
}

/** "2 failed · 1 failed, retrying": failures for good apart from those still being retried. */
export function failureText(job: Job): string {
  const { failed, retrying } = job.counts;
  return retrying > 0 ? `${failed} failed · ${retrying} failed, retrying` : `${failed} failed`;
}

/** "3 devices" or "profile CIM-168 · 40 devices". */
export function jobTargetText(job: Job): string {
  const devices = formatCount(job.counts.total || job.target.deviceIds.length, 'device');
  return job.target.kind === 'PROFILE' ? `profile ${job.target.profileName} · ${devices}` : devices;
}

export function jobName(job: Job): string {
  return `${job.packageTitle} ${job.packageVersion}`;
}

/**
 * The policy in a line: "10 at once · time-out 10 min 00 s · 1 retry after 2 s · pause after
 * 2 failed".
 */
export function describePolicy(policy: JobPolicy): string {
  const parts = [
    policy.concurrency > 0 ? `${policy.concurrency} at once` : 'all at once',
    policy.timeoutSec > 0 ? `time-out ${formatDuration(policy.timeoutSec * 1000)}` : 'no time-out',
    policy.retries > 0
      ? `${formatCount(policy.retries, 'retry', 'retries')} after ${formatDuration(policy.retryDelaySec * 1000)}`
      : 'no retry',
  ];
  const halts = [
    policy.haltAfterFailures !== null ? `${policy.haltAfterFailures} failed` : null,
    policy.haltAfterPercent !== null ? `${policy.haltAfterPercent} % failed` : null,
  ].filter(Boolean);
  if (halts.length > 0) parts.push(`pause after ${halts.join(' or ')}`);
  return parts.join(' · ');
}

/** What cancelling does to the job's devices (the station's rule, jobs.cancel). */
export function cancelEffect(executions: readonly Execution[]): {
  unassigned: number;
  installing: number;
  finished: number;
} {
  let unassigned = 0;
  let installing = 0;
  let finished = 0;
  for (const e of executions) {
    if (e.state === 'QUEUED' || e.state === 'INITIATED' || e.state === 'DOWNLOADING')
      unassigned += 1;
    else if (e.state === 'DOWNLOADED' || e.state === 'VERIFIED' || e.state === 'UPDATING')
      installing += 1;
    else finished += 1;
  }
  return { unassigned, installing, finished };
}

/** Open jobs first (they need the technician), then the rest, newest first within each. */
export function orderJobs(jobs: readonly Job[]): Job[] {
  const open = (job: Job) => (isOpenJob(job) ? 0 : 1);
  return [...jobs].sort((a, b) => open(a) - open(b) || b.createdAt - a.createdAt);
}
