import { randomUUID } from 'node:crypto';

import type { Job, JobPolicy, JobStatus, JobTarget } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import { jobEtaSeconds, SILENT_AFTER_MS } from '../../../shared/jobs/job-eta';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { Db } from '../storage/database';
import { type StatementCache, statementCache } from '../storage/statements';
import type { ExecutionRepository } from './executions';

interface JobRow {
  id: string;
  package_id: string | null;
  type: OtaPackageType;
  package_title: string;
  package_version: string;
  target: string;
  concurrency: number;
  timeout_sec: number;
  retries: number;
  retry_delay_sec: number;
  halt_after_failures: number | null;
  halt_after_percent: number | null;
  start_at: number;
  status: JobStatus;
  status_reason: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface NewJob {
  packageId: string;
  type: OtaPackageType;
  packageTitle: string;
  packageVersion: string;
  target: JobTarget;
  policy: JobPolicy;
  startAt: number;
}

/** The condition of the jobs_open partial index (migration 3), word for word. */
const OPEN = `status IN ('SCHEDULED', 'RUNNING', 'PAUSED')`;

/** Jobs as stored; their progress figures are derived from their executions. */
export class JobRepository {
  private readonly sql: StatementCache;

  constructor(
    db: Db,
    private readonly executions: ExecutionRepository,
  ) {
    this.sql = statementCache(db);
  }

  insert(job: NewJob, now: number): string {
    const id = randomUUID();
    this.sql(
      `INSERT INTO jobs (id, package_id, type, package_title, package_version, target, concurrency, timeout_sec,
         retries, retry_delay_sec, halt_after_failures, halt_after_percent, start_at, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'SCHEDULED', ?)`,
    ).run(
      id,
      job.packageId,
      job.type,
      job.packageTitle,
      job.packageVersion,
      JSON.stringify(job.target),
      job.policy.concurrency,
      job.policy.timeoutSec,
      job.policy.retries,
      job.policy.retryDelaySec,
      job.policy.haltAfterFailures,
      job.policy.haltAfterPercent,
      job.startAt,
      now,
    );
    return id;
  }

  /** Resuming an auto-paused job means "go on anyway": its failure thresholds are lifted. */
  clearHaltThresholds(id: string): void {
    this.sql(
      'UPDATE jobs SET halt_after_failures = NULL, halt_after_percent = NULL WHERE id = ?',
    ).run(id);
  }

  /** What the scheduler needs of one job. */
  schedulingOf(id: string): { status: JobStatus; startAt: number; policy: JobPolicy } | undefined {
    const row = this.sql<[string], JobRow>('SELECT * FROM jobs WHERE id = ?').get(id);
    return row && { status: row.status, startAt: row.start_at, policy: policyOf(row) };
  }

  /**
   * Jobs the clock moves: scheduled ones whose start time has come, open ones with a device
   * silent for longer than the job's time-out, and running ones with a retry due. One query
   * for all, run every second: it starts from the open jobs (the jobs_open index, whose
   * condition each branch repeats so the planner may use it) and looks up their executions by
   * job and state, so a day of finished jobs and executions costs it nothing.
   */
  dueJobIds(now: number): string[] {
    const rows = this.sql<[number, number, number], { id: string }>(
      `SELECT id FROM jobs WHERE ${OPEN} AND status = 'SCHEDULED' AND start_at <= ?
       UNION
       SELECT j.id FROM jobs j WHERE ${OPEN} AND j.status <> 'SCHEDULED' AND j.timeout_sec > 0
         AND EXISTS (SELECT 1 FROM executions e WHERE e.job_id = j.id
           AND e.state IN ('INITIATED', 'DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'UPDATING')
           AND e.updated_at <= ? - j.timeout_sec * 1000)
       UNION
       SELECT j.id FROM jobs j WHERE ${OPEN} AND j.status = 'RUNNING'
         AND EXISTS (SELECT 1 FROM executions e WHERE e.job_id = j.id
           AND e.state IN ('FAILED', 'TIMED_OUT') AND e.attempts <= j.retries
           AND e.updated_at <= ? - j.retry_delay_sec * 1000)`,
    ).all(now, now, now);
    return rows.map((r) => r.id);
  }

  /** The newest open job delivering a profile's own package to its followers, if any. */
  openProfilePackageJob(profileId: string, packageId: string): string | undefined {
    const row = this.sql(
      `SELECT id FROM jobs WHERE ${OPEN} AND package_id = ?
         AND json_extract(target, '$.profilePackage') = 1 AND json_extract(target, '$.profileId') = ?
       ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ).get(packageId, profileId) as { id: string } | undefined;
    return row?.id;
  }

  openJobIds(): string[] {
    const rows = this.sql<[], { id: string }>(
      `SELECT id FROM jobs WHERE ${OPEN} ORDER BY created_at`,
    ).all();
    return rows.map((r) => r.id);
  }

  setStatus(id: string, status: JobStatus, reason: string | null, now: number): void {
    const finished = status === 'COMPLETED' || status === 'CANCELED' ? now : null;
    this.sql(
      `UPDATE jobs SET status = ?, status_reason = ?, finished_at = ?,
         started_at = CASE WHEN started_at IS NULL AND ? = 'RUNNING' THEN ? ELSE started_at END
       WHERE id = ?`,
    ).run(status, reason, finished, status, now, id);
  }

  find(id: string, now = Date.now()): Job | undefined {
    const row = this.sql<[string], JobRow>('SELECT * FROM jobs WHERE id = ?').get(id);
    return row && this.toJob(row, now);
  }

  get(id: string, now = Date.now()): Job {
    const job = this.find(id, now);
    if (!job) throw new ApiError('NOT_FOUND', `Job ${id} does not exist`);
    return job;
  }

  list(limit: number, now = Date.now()): Job[] {
    const rows = this.sql<[number], JobRow>(
      'SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?',
    ).all(limit);
    return rows.map((row) => this.toJob(row, now));
  }

  private toJob(row: JobRow, now: number): Job {
    const policy = policyOf(row);
    const open = row.status === 'SCHEDULED' || row.status === 'RUNNING' || row.status === 'PAUSED';
    // Once a job has ended no retry will come: a failure waiting for one is a failure for good.
    const tally = this.executions.jobTally(row.id, open ? row.retries : -1);
    const { progressBytes: bytesServed, bytesTotal, ...counts } = tally;
    const running = row.status === 'RUNNING' && counts.queued + counts.active + counts.retrying > 0;
    const etaSeconds = running
      ? jobEtaSeconds({
          bytesServed,
          bytesTotal,
          startedAt: row.started_at,
          now,
          silentDeadline: this.executions.silentDeadline(
            row.id,
            row.timeout_sec,
            now,
            SILENT_AFTER_MS,
          ),
        })
      : null;
    return {
      id: row.id,
      packageId: row.package_id,
      type: row.type,
      packageTitle: row.package_title,
      packageVersion: row.package_version,
      target: JSON.parse(row.target) as JobTarget,
      policy,
      startAt: row.start_at,
      status: row.status,
      statusReason: row.status_reason,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      counts,
      bytesServed,
      bytesTotal,
      etaSeconds,
    };
  }
}

function policyOf(row: JobRow): JobPolicy {
  return {
    concurrency: row.concurrency,
    timeoutSec: row.timeout_sec,
    retries: row.retries,
    retryDelaySec: row.retry_delay_sec,
    haltAfterFailures: row.halt_after_failures,
    haltAfterPercent: row.halt_after_percent,
  };
}
