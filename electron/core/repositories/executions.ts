import { randomUUID } from 'node:crypto';
import type { Execution, StateChange } from '../../../shared/api/entities';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { FINAL_STATES, type OtaState } from '../../../shared/protocol/states';
import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';

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
  packageId: string | null;
  packageTitle: string;
  packageVersion: string;
}

const SLOT_COLUMNS = `id, state, package_id AS packageId, package_title AS packageTitle,
  package_version AS packageVersion`;

export class ExecutionRepository {
  private readonly sql: ReturnType<typeof statementCache>;

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
  ): void {
    const finishedAt = FINAL_STATES.has(state) ? now : null;
    this.sql(
      'UPDATE executions SET state = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ?',
    ).run(state, error, now, finishedAt, id);
    this.appendEvent(id, state, at, detail);
  }

  /** A retry: the same execution goes back to QUEUED with one more attempt. */
  requeue(id: string, at: number, detail: string): void {
    this.sql(
      `UPDATE executions SET state = 'QUEUED', error = NULL, bytes_served = 0, attempts = attempts + 1,
         updated_at = ?, finished_at = NULL WHERE id = ?`,
    ).run(at, id);
    this.appendEvent(id, 'QUEUED', at, detail);
  }

  /**
   * A device that reports progress after its execution ended (came back after a timeout). As in
   * transition, updated_at is the station's clock: the time-out must watch a re-opened execution
   * whatever the device's clock says.
   */
  reopen(id: string, state: OtaState, at: number, detail: string, now = Date.now()): void {
    const finishedAt = FINAL_STATES.has(state) ? now : null;
    this.sql(
      'UPDATE executions SET state = ?, error = NULL, updated_at = ?, finished_at = ? WHERE id = ?',
    ).run(state, now, finishedAt, id);
    this.appendEvent(id, state, at, detail);
  }

  /** Executions of a job in the given states, oldest first, with what scheduling needs. */
  inJob(jobId: string, states: readonly OtaState[]): JobExecutionRow[] {
    return this.sql(
      `SELECT id, device_id AS deviceId, state, attempts, bytes_served AS bytesServed, size, updated_at AS updatedAt
       FROM executions WHERE job_id = ? AND state IN (SELECT value FROM json_each(?))
       ORDER BY created_at, rowid`,
    ).all(jobId, JSON.stringify(states)) as JobExecutionRow[];
  }

  jobIdOf(id: string): string | null {
    const row = this.sql('SELECT job_id AS jobId FROM executions WHERE id = ?').get(id) as
      { jobId: string | null } | undefined;
    return row?.jobId ?? null;
  }

  /** Per state: how many executions of a job, and their bytes. */
  jobTotals(
    jobId: string,
  ): { state: OtaState; count: number; bytesServed: number; size: number }[] {
    return this.sql(
      `SELECT state, count(*) AS count, sum(bytes_served) AS bytesServed, sum(size) AS size
       FROM executions WHERE job_id = ? GROUP BY state`,
    ).all(jobId) as { state: OtaState; count: number; bytesServed: number; size: number }[];
  }

  listByJob(jobId: string): Execution[] {
    const rows = this.sql(`${SELECT_EXECUTIONS} WHERE e.job_id = ? ORDER BY d.name`).all(
      jobId,
    ) as ExecutionRow[];
    const history = this.historyOf(rows.map((r) => r.id));
    return rows.map((row) => this.toExecution(row, history));
  }

  /** Progress only moves forward: a re-requested chunk does not count twice. */
  recordBytes(id: string, bytesServed: number, at: number): void {
    this.sql(
      'UPDATE executions SET bytes_served = max(bytes_served, ?), updated_at = ? WHERE id = ?',
    ).run(bytesServed, at, id);
  }

  /** The execution that is still in progress for a device's slot, if any. */
  active(deviceId: string, type: OtaPackageType): SlotExecution | undefined {
    return this.sql(
      `SELECT ${SLOT_COLUMNS} FROM executions
         WHERE device_id = ? AND type = ? AND finished_at IS NULL ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ).get(deviceId, type) as SlotExecution | undefined;
  }

  /** The most recent execution of a slot, finished or not. */
  latest(deviceId: string, type: OtaPackageType): SlotExecution | undefined {
    return this.sql(
      `SELECT ${SLOT_COLUMNS} FROM executions
         WHERE device_id = ? AND type = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    ).get(deviceId, type) as SlotExecution | undefined;
  }

  get(id: string): Execution | undefined {
    const row = this.sql(`${SELECT_EXECUTIONS} WHERE e.id = ?`).get(id) as ExecutionRow | undefined;
    return row && this.toExecution(row, this.historyOf([row.id]));
  }

  getMany(ids: readonly string[]): Execution[] {
    if (ids.length === 0) return [];
    const rows = this.sql(
      `${SELECT_EXECUTIONS} WHERE e.id IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(ids)) as ExecutionRow[];
    const history = this.historyOf(rows.map((r) => r.id));
    return rows.map((row) => this.toExecution(row, history));
  }

  list(filter: { deviceId?: string | undefined; limit: number }): Execution[] {
    const rows = (
      filter.deviceId
        ? this.sql(
            `${SELECT_EXECUTIONS} WHERE e.device_id = ? ORDER BY e.created_at DESC, e.rowid DESC LIMIT ?`,
          ).all(filter.deviceId, filter.limit)
        : this.sql(`${SELECT_EXECUTIONS} ORDER BY e.created_at DESC, e.rowid DESC LIMIT ?`).all(
            filter.limit,
          )
    ) as ExecutionRow[];
    const history = this.historyOf(rows.map((r) => r.id));
    return rows.map((row) => this.toExecution(row, history));
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

  private historyOf(ids: readonly string[]): Map<string, StateChange[]> {
    const history = new Map<string, StateChange[]>();
    if (ids.length === 0) return history;
    const rows = this.sql(
      `SELECT execution_id, state, at, detail FROM execution_events
         WHERE execution_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    ).all(JSON.stringify(ids)) as {
      execution_id: string;
      state: OtaState;
      at: number;
      detail: string | null;
    }[];
    for (const row of rows) {
      const list = history.get(row.execution_id) ?? [];
      list.push({ state: row.state, at: row.at, detail: row.detail });
      history.set(row.execution_id, list);
    }
    return history;
  }

  private toExecution(row: ExecutionRow, history: Map<string, StateChange[]>): Execution {
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
    };
  }
}
