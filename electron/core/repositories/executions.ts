import { randomUUID } from 'node:crypto';

import type { Attempt, ErrorSource, Execution, StateChange } from '../../../shared/api/entities';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { FINAL_STATES, type OtaState } from '../../../shared/protocol/states';
import type { Db } from '../storage/database';
import { requireRow, type StatementCache, statementCache } from '../storage/statements';

interface ExecutionRow {
  id: string;
  device_id: string;
  device_name: string;
  package_id: string | null;
  type: OtaPackageType;
  package_title: string;
  package_version: string;
  size: number;
  state: OtaState;
  error: string | null;
  bytes_served: number;
  attempts: number;
  job_id: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface JobExecutionRow {
  id: string;
  deviceId: string;
  state: OtaState;
  attempts: number;
  bytesServed: number;
  size: number;
  updatedAt: number;
}

/** A job's devices by outcome, and its progress in bytes (see Job in shared/api/entities). */
export interface JobTally {
  total: number;
  queued: number;
  active: number;
  updated: number;
  failed: number;
  retrying: number;
  canceled: number;
  progressBytes: number;
  bytesTotal: number;
}

interface AttemptRow {
  execution_id: string;
  started_at: number;
  ended_at: number | null;
  outcome: OtaState | null;
  error: string | null;
  reported_by: ErrorSource | null;
  bytes_served: number;
  note: string | null;
}

interface EventRow {
  execution_id: string;
  state: OtaState;
  at: number;
  detail: string | null;
}

/** How many executions of a job are in one state, and their bytes. */
export interface StateTotal {
  state: OtaState;
  count: number;
  bytesServed: number;
  size: number;
}

const SELECT_EXECUTIONS = `SELECT e.*, d.name AS device_name FROM executions e JOIN devices d ON d.id = e.device_id`;

export interface NewExecution {
  jobId: string | null;
  deviceId: string;
  packageId: string;
  type: OtaPackageType;
  packageTitle: string;
  packageVersion: string;
  size: number;
}

/** An execution of a device's firmware or software slot, as the assignment rules look at it. */
export interface SlotExecution {
  id: string;
  state: OtaState;
  error: string | null;
  packageId: string | null;
  packageTitle: string;
  packageVersion: string;
}

const SLOT_COLUMNS = `id, state, error, package_id AS packageId, package_title AS packageTitle,
  package_version AS packageVersion`;

export class ExecutionRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  create(input: NewExecution, state: OtaState, now = Date.now()): string {
    const id = randomUUID();
    this.sql(
      `INSERT INTO executions (id, job_id, device_id, package_id, type, package_title, package_version, size, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      input.jobId,
      input.deviceId,
      input.packageId,
      input.type,
      input.packageTitle,
      input.packageVersion,
      input.size,
      state,
      now,
      now,
    );
    this.appendEvent(id, state, now, null);
    this.startAttempt(id, now, null);
    return id;
  }

  /**
   * Moves an execution to a state and records it in the history at `at` (the device's own time
   * when it reported one). updated_at and finished_at are the station's clock: time-outs and
   * durations must not depend on a device's clock being right.
   */
  transition(
    id: string,
    state: OtaState,
    at: number,
    detail: string | null = null,
    error: string | null = null,
    now = Date.now(),
    /** Who says it failed; by default TIMED_OUT is the station's verdict and FAILED the device's. */
    reportedBy: ErrorSource | null = error === null
      ? null
      : state === 'TIMED_OUT'
        ? 'STATION'
        : 'DEVICE',
  ): void {
    const finishedAt = FINAL_STATES.has(state) ? now : null;
    this.sql(
      'UPDATE executions SET state = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ?',
    ).run(state, error, now, finishedAt, id);
    // The timeline's FAILED step says why, not only the row.
    this.appendEvent(id, state, at, [detail, error].filter(Boolean).join(': ') || null);
    if (finishedAt !== null) this.endAttempt(id, now, state, error, reportedBy);
  }

  /** A retry: the same execution goes back to QUEUED with one more attempt. */
  requeue(id: string, at: number, detail: string): void {
    // The attempt that ended keeps its bytes; the new one counts from zero.
    this.endAttempt(id, at, null, null, null);
    this.sql(
      `UPDATE executions SET state = 'QUEUED', error = NULL, bytes_served = 0, attempts = attempts + 1,
         updated_at = ?, finished_at = NULL WHERE id = ?`,
    ).run(at, id);
    this.appendEvent(id, 'QUEUED', at, detail);
    this.startAttempt(id, at, detail);
  }

  /**
   * A device that reports progress after its execution ended (came back after a timeout). As in
   * transition, updated_at is the station's clock: the time-out must watch a re-opened execution
   * whatever the device's clock says.
   */
  reopen(id: string, state: OtaState, at: number, detail: string, now = Date.now()): void {
    const finishedAt = FINAL_STATES.has(state) ? now : null;
    this.endAttempt(id, at, null, null, null);
    this.sql(
      'UPDATE executions SET state = ?, error = NULL, updated_at = ?, finished_at = ? WHERE id = ?',
    ).run(state, now, finishedAt, id);
    this.appendEvent(id, state, at, detail);
    this.startAttempt(id, at, detail);
    // Revived straight into a final state (a device that runs its target): that try is over.
    if (finishedAt !== null) this.endAttempt(id, at, state, null, null);
  }

  /**
   * A job's devices by outcome. `retries` decides what is failed for good; pass -1 for a job
   * that has ended (no retry will come). Progress counts a settled device whole and one in
   * flight at its furthest attempt, so it never goes back when a retry restarts from zero.
   */
  jobTally(jobId: string, retries: number): JobTally {
    const row = this.sql<[{ jobId: string; retries: number }], JobTally>(
      `WITH e AS (
         SELECT x.state, x.attempts, x.size, x.bytes_served,
           EXISTS (SELECT 1 FROM execution_attempts a WHERE a.execution_id = x.id
                   AND a.outcome IN ('FAILED', 'TIMED_OUT')) AS failedBefore,
           (SELECT max(a.bytes_served) FROM execution_attempts a WHERE a.execution_id = x.id) AS peak,
           x.state IN ('UPDATED', 'FAILED', 'TIMED_OUT', 'CANCELED') AS final
         FROM executions x WHERE x.job_id = @jobId)
       SELECT count(*) AS total,
         coalesce(sum(state = 'QUEUED' AND NOT failedBefore), 0) AS queued,
         coalesce(sum(NOT final AND state <> 'QUEUED' AND NOT failedBefore), 0) AS active,
         coalesce(sum(state = 'UPDATED'), 0) AS updated,
         coalesce(sum((state IN ('FAILED', 'TIMED_OUT') AND attempts > @retries)
           OR (state = 'CANCELED' AND failedBefore)), 0) AS failed,
         coalesce(sum((state IN ('FAILED', 'TIMED_OUT') AND attempts <= @retries)
           OR (NOT final AND failedBefore)), 0) AS retrying,
         coalesce(sum(state = 'CANCELED' AND NOT failedBefore), 0) AS canceled,
         coalesce(sum(size), 0) AS bytesTotal,
         coalesce(sum(CASE
           WHEN state IN ('UPDATED', 'CANCELED') OR (state IN ('FAILED', 'TIMED_OUT') AND attempts > @retries)
             THEN size
           ELSE min(size, max(bytes_served, coalesce(peak, 0))) END), 0) AS progressBytes
       FROM e`,
    ).get({ jobId, retries });
    return requireRow(row, `tally of job ${jobId}`);
  }

  /**
   * When the last silent device of a job (no news for `quietMs`) would time out: the job cannot
   * end before then, whatever the bytes say. Null when none is silent.
   */
  silentDeadline(jobId: string, timeoutSec: number, now: number, quietMs: number): number | null {
    if (timeoutSec <= 0) return null;
    const row = this.sql<[string, number], { last: number | null }>(
      `SELECT max(updated_at) AS last FROM executions
       WHERE job_id = ? AND finished_at IS NULL AND state <> 'QUEUED' AND updated_at <= ?`,
    ).get(jobId, now - quietMs);
    const { last } = requireRow(row, `last update of job ${jobId}`);
    return last === null ? null : last + timeoutSec * 1000;
  }

  /** Executions of a job in the given states, oldest first, with what scheduling needs. */
  inJob(jobId: string, states: readonly OtaState[]): JobExecutionRow[] {
    return this.sql<[string, string], JobExecutionRow>(
      `SELECT id, device_id AS deviceId, state, attempts, bytes_served AS bytesServed, size, updated_at AS updatedAt
       FROM executions WHERE job_id = ? AND state IN (SELECT value FROM json_each(?))
       ORDER BY created_at, rowid`,
    ).all(jobId, JSON.stringify(states));
  }

  jobIdOf(id: string): string | null {
    const row = this.sql<[string], { jobId: string | null }>(
      'SELECT job_id AS jobId FROM executions WHERE id = ?',
    ).get(id);
    return row?.jobId ?? null;
  }

  /** Per state: how many executions of a job, and their bytes. */
  jobTotals(jobId: string): StateTotal[] {
    return this.sql<[string], StateTotal>(
      `SELECT state, count(*) AS count, sum(bytes_served) AS bytesServed, sum(size) AS size
       FROM executions WHERE job_id = ? GROUP BY state`,
    ).all(jobId);
  }

  listByJob(jobId: string): Execution[] {
    const rows = this.sql<[string], ExecutionRow>(
      `${SELECT_EXECUTIONS} WHERE e.job_id = ? ORDER BY d.name`,
    ).all(jobId);
    return this.withDetails(rows);
  }

  /** Progress only moves forward: a re-requested chunk does not count twice. */
  recordBytes(id: string, bytesServed: number, at: number): void {
    this.sql(
      'UPDATE executions SET bytes_served = max(bytes_served, ?), updated_at = ? WHERE id = ?',
    ).run(bytesServed, at, id);
  }

  /** The execution that is still in progress for a device's slot, if any. */
  active(deviceId: string, type: OtaPackageType): SlotExecution | undefined {
    return this.sql<[string, OtaPackageType], SlotExecution>(
      `SELECT ${SLOT_COLUMNS} FROM executions
         WHERE device_id = ? AND type = ? AND finished_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ).get(deviceId, type);
  }

  /** The most recent execution of a slot, finished or not. */
  latest(deviceId: string, type: OtaPackageType): SlotExecution | undefined {
    return this.sql<[string, OtaPackageType], SlotExecution>(
      `SELECT ${SLOT_COLUMNS} FROM executions
         WHERE device_id = ? AND type = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ).get(deviceId, type);
  }

  get(id: string): Execution | undefined {
    const row = this.sql<[string], ExecutionRow>(`${SELECT_EXECUTIONS} WHERE e.id = ?`).get(id);
    return row && this.withDetails([row])[0];
  }

  getMany(ids: readonly string[]): Execution[] {
    if (ids.length === 0) return [];
    const rows = this.sql<[string], ExecutionRow>(
      `${SELECT_EXECUTIONS} WHERE e.id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids));
    return this.withDetails(rows);
  }

  list(filter: { deviceId?: string | undefined; limit: number }): Execution[] {
    const rows = filter.deviceId
      ? this.sql<[string, number], ExecutionRow>(
          `${SELECT_EXECUTIONS} WHERE e.device_id = ? ORDER BY e.created_at DESC, e.rowid DESC LIMIT ?`,
        ).all(filter.deviceId, filter.limit)
      : this.sql<[number], ExecutionRow>(
          `${SELECT_EXECUTIONS} ORDER BY e.created_at DESC, e.rowid DESC LIMIT ?`,
        ).all(filter.limit);
    return this.withDetails(rows);
  }

  private appendEvent(
    executionId: string,
    state: OtaState,
    at: number,
    detail: string | null,
  ): void {
    this.sql(
      'INSERT INTO execution_events (execution_id, state, at, detail) VALUES (?, ?, ?, ?)',
    ).run(executionId, state, at, detail);
  }

  private startAttempt(executionId: string, at: number, note: string | null): void {
    this.sql(
      'INSERT INTO execution_attempts (execution_id, started_at, note) VALUES (?, ?, ?)',
    ).run(executionId, at, note);
  }

  /**
   * Closes the execution's latest attempt with its outcome (once: a later call only keeps the
   * most bytes seen) and the bytes the execution holds now.
   */
  private endAttempt(
    executionId: string,
    at: number,
    outcome: OtaState | null,
    error: string | null,
    reportedBy: ErrorSource | null,
  ): void {
    this.sql(
      `UPDATE execution_attempts SET
         ended_at = coalesce(ended_at, ?),
         outcome = coalesce(outcome, ?),
         error = coalesce(error, ?),
         reported_by = coalesce(reported_by, ?),
         bytes_served = max(bytes_served, (SELECT bytes_served FROM executions WHERE id = ?))
       WHERE id = (SELECT max(id) FROM execution_attempts WHERE execution_id = ?)`,
    ).run(at, outcome, error, reportedBy, executionId, executionId);
  }

  private attemptsOf(ids: readonly string[]): Map<string, AttemptRow[]> {
    const attempts = new Map<string, AttemptRow[]>();
    if (ids.length === 0) return attempts;
    const rows = this.sql<[string], AttemptRow>(
      `SELECT execution_id, started_at, ended_at, outcome, error, reported_by, bytes_served, note
       FROM execution_attempts WHERE execution_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    ).all(JSON.stringify(ids));
    for (const row of rows) {
      const list = attempts.get(row.execution_id) ?? [];
      list.push(row);
      attempts.set(row.execution_id, list);
    }
    return attempts;
  }

  private historyOf(ids: readonly string[]): Map<string, StateChange[]> {
    const history = new Map<string, StateChange[]>();
    if (ids.length === 0) return history;
    const rows = this.sql<[string], EventRow>(
      `SELECT execution_id, state, at, detail FROM execution_events
         WHERE execution_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    ).all(JSON.stringify(ids));
    for (const row of rows) {
      const list = history.get(row.execution_id) ?? [];
      list.push({ state: row.state, at: row.at, detail: row.detail });
      history.set(row.execution_id, list);
    }
    return history;
  }

  /** The rows with their timelines and attempts, in two queries however many rows. */
  private withDetails(rows: readonly ExecutionRow[]): Execution[] {
    const ids = rows.map((r) => r.id);
    const history = this.historyOf(ids);
    const attempts = this.attemptsOf(ids);
    return rows.map((row) => this.toExecution(row, history, attempts.get(row.id) ?? []));
  }

  private toExecution(
    row: ExecutionRow,
    history: Map<string, StateChange[]>,
    attempts: readonly AttemptRow[],
  ): Execution {
    return {
      id: row.id,
      deviceId: row.device_id,
      deviceName: row.device_name,
      packageId: row.package_id,
      type: row.type,
      packageTitle: row.package_title,
      packageVersion: row.package_version,
      size: row.size,
      state: row.state,
      error: row.error,
      bytesServed: row.bytes_served,
      attempts: row.attempts,
      jobId: row.job_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      finishedAt: row.finished_at,
      history: history.get(row.id) ?? [],
      attemptLog: attempts.map((a, index): Attempt => {
        const latest = index === attempts.length - 1;
        return {
          number: index + 1,
          startedAt: a.started_at,
          endedAt: a.ended_at,
          outcome: a.outcome,
          error: a.error,
          reportedBy: a.reported_by,
          // The execution's bytes are its latest attempt's, and may be written after that attempt
          // closed (progress is written in batches): an attempt that failed at once keeps them.
          bytesServed: latest ? Math.max(a.bytes_served, row.bytes_served) : a.bytes_served,
          note: a.note,
        };
      }),
    };
  }
}
