import type { Execution, Job, JobPolicy } from '../../../shared/api/entities';
import { formatCount, formatDuration } from './format';

export interface JobFigures {
  bytesServed: number;
  bytesTotal: number;
  /** 0..100 of the job's bytes. */
  percent: number;
  /** Devices with a final outcome (updated, failed, canceled). */
  done: number;
  etaSeconds: number | null;
}

/**
 * The station sends a job again when a device changes state, not for every chunk: while the
 * Monitor holds all of the job's updates, their bytes (which move with every batch) keep the
 * figure and the ETA current between two job events.
 */
export function jobFigures(job: Job, executions: readonly Execution[] | undefined, now: number) {
  const bytesTotal = job.bytesTotal;
  // A device that reports UPDATED has had every byte, even if the byte count is still on its
  // way (the station records bytes in batches apart from state changes). One package per job,
  // so each device's share is the same.
  const perDevice = job.counts.total > 0 ? bytesTotal / job.counts.total : 0;
  let bytesServed = Math.max(job.bytesServed, job.counts.updated * perDevice);
  if (executions && executions.length === job.counts.total) {
    let live = 0;
    for (const e of executions)
      live += e.state === 'UPDATED' ? e.size : Math.min(e.bytesServed, e.size);
    // Either figure may be the fresher one (byte and state news travel in separate batches).
    bytesServed = Math.max(bytesServed, live);
  }
  bytesServed = Math.min(bytesServed, bytesTotal);
  const { counts } = job;
  const percent = bytesTotal > 0 ? Math.min(100, (bytesServed / bytesTotal) * 100) : 0;
  let etaSeconds = job.etaSeconds;
  const running = job.status === 'RUNNING' && counts.queued + counts.active > 0;
  if (running && job.startedAt !== null && bytesServed > 0) {
    // The station's own rule: the rate since the job started, over what is left.
    const rate = bytesServed / Math.max(1, (now - job.startedAt) / 1000);
    etaSeconds = Math.round((bytesTotal - bytesServed) / rate);
  } else if (!running) etaSeconds = null;
  const figures: JobFigures = {
    bytesServed,
    bytesTotal,
    percent,
    done: counts.updated + counts.failed + counts.canceled,
    etaSeconds,
  };
  return figures;
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
  const open = (job: Job) =>
    job.status === 'RUNNING' || job.status === 'PAUSED' || job.status === 'SCHEDULED' ? 0 : 1;
  return [...jobs].sort((a, b) => open(a) - open(b) || b.createdAt - a.createdAt);
}
