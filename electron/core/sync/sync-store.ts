import type { Db } from '../storage/database';

/** The sync's own tables (migration 2): outbox item states, settings, log, watermarks. */
export type ItemStatus = 'PENDING' | 'CONFLICT' | 'FAILED';

export interface OutboxItem {
  seq: number;
  idempotencyKey: string;
  kind: string;
  entityId: string;
  payload: unknown;
  createdAt: number;
  status: ItemStatus;
  attempts: number;
  error: string | null;
  /** A conflict's two sides, as JSON. */
  detail: unknown;
  /** How far a multi-step push got (e.g. the cloud id of a package created but not uploaded). */
  progress: Record<string, unknown>;
}

interface ItemRow {
  seq: number;
  idempotency_key: string;
  kind: string;
  entity_id: string;
  payload: string;
  created_at: number;
  status: ItemStatus | null;
  attempts: number | null;
  error: string | null;
  detail: string | null;
  progress: string | null;
}

export interface LogEntry {
  id: number;
  at: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface TelemetryRow {
  key: string;
  ts: number;
  value: unknown;
  seq: number;
}

const SELECT_ITEMS = `
  SELECT o.*, s.status, s.attempts, s.error, s.detail, s.progress
  FROM outbox o LEFT JOIN sync_item_state s ON s.seq = o.seq`;
const MAX_LOG_ENTRIES = 2000;

function toItem(row: ItemRow): OutboxItem {
  return {
    seq: row.seq,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    entityId: row.entity_id,
    payload: parse(row.payload),
    createdAt: row.created_at,
    status: row.status ?? 'PENDING',
    attempts: row.attempts ?? 0,
    error: row.error,
    detail: row.detail === null ? null : parse(row.detail),
    progress: (row.progress === null ? {} : parse(row.progress)) as Record<string, unknown>,
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export class SyncStore {
  constructor(readonly db: Db) {}

  // ---- settings ----

  setting(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM sync_settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setSetting(key: string, value: string | number | null): void {
    if (value === null) this.db.prepare('DELETE FROM sync_settings WHERE key = ?').run(key);
    else
      this.db
        .prepare(
          'INSERT INTO sync_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        )
        .run(key, String(value));
  }

  numberSetting(key: string): number | null {
    const value = this.setting(key);
    return value === undefined ? null : Number(value);
  }

  // ---- outbox ----

  items(): OutboxItem[] {
    return (this.db.prepare(`${SELECT_ITEMS} ORDER BY o.seq`).all() as ItemRow[]).map(toItem);
  }

  /**
   * How many items of each kind and status: what the cloud status shows, counted in SQL. The
   * status is recomputed about once a second with a UI open; building every item (payloads
   * parsed) for it cost as much as the outbox is long.
   */
  itemCounts(): { kind: string; status: ItemStatus; n: number }[] {
    return this.db
      .prepare(
        `SELECT o.kind AS kind, coalesce(s.status, 'PENDING') AS status, count(*) AS n
         FROM outbox o LEFT JOIN sync_item_state s ON s.seq = o.seq GROUP BY 1, 2`,
      )
      .all() as { kind: string; status: ItemStatus; n: number }[];
  }

  item(seq: number): OutboxItem | undefined {
    const row = this.db.prepare(`${SELECT_ITEMS} WHERE o.seq = ?`).get(seq) as ItemRow | undefined;
    return row && toItem(row);
  }

  itemsOf(entityId: string): OutboxItem[] {
    return (
      this.db
        .prepare(`${SELECT_ITEMS} WHERE o.entity_id = ? ORDER BY o.seq`)
        .all(entityId) as ItemRow[]
    ).map(toItem);
  }

  /**
   * The item is done: `apply` records what the cloud now knows (cloud ids) and the item goes,
   * in one transaction, so a crash leaves either both or neither.
   */
  complete(seq: number, apply?: () => void): void {
    this.db.transaction(() => {
      apply?.();
      this.db.prepare('DELETE FROM outbox WHERE seq = ?').run(seq);
    })();
  }

  setProgress(seq: number, progress: Record<string, unknown>, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO sync_item_state (seq, status, progress, updated_at) VALUES (?, 'PENDING', ?, ?)
         ON CONFLICT (seq) DO UPDATE SET progress = excluded.progress, updated_at = excluded.updated_at`,
      )
      .run(seq, JSON.stringify(progress), now);
  }

  markConflict(seq: number, error: string, detail: unknown, now = Date.now()): void {
    this.setStatus(seq, 'CONFLICT', error, JSON.stringify(detail), now);
  }

  markFailed(seq: number, error: string, now = Date.now()): void {
    this.setStatus(seq, 'FAILED', error, null, now);
  }

  /** Back to pending (after "retry", or once a conflict is resolved); progress is kept. */
  reopen(seq: number, now = Date.now()): void {
    this.setStatus(seq, 'PENDING', null, null, now);
  }

  /** A try that did not get through (network, 5xx): counted and shown, the item stays pending. */
  countAttempt(seq: number, error: string, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO sync_item_state (seq, status, attempts, error, updated_at) VALUES (?, 'PENDING', 1, ?, ?)
         ON CONFLICT (seq) DO UPDATE SET attempts = attempts + 1, error = excluded.error, updated_at = excluded.updated_at`,
      )
      .run(seq, error, now);
  }

  private setStatus(
    seq: number,
    status: ItemStatus,
    error: string | null,
    detail: string | null,
    now: number,
  ): void {
    this.db
      .prepare(
        `INSERT INTO sync_item_state (seq, status, error, detail, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (seq) DO UPDATE SET status = excluded.status, error = excluded.error,
           detail = excluded.detail, updated_at = excluded.updated_at`,
      )
      .run(seq, status, error, detail, now);
  }

  /** Drops items without pushing them (superseded, or discarded by the technician). */
  drop(seqs: readonly number[]): void {
    const remove = this.db.prepare('DELETE FROM outbox WHERE seq = ?');
    this.db.transaction(() => seqs.forEach((seq) => remove.run(seq)))();
  }

  // ---- telemetry ----

  watermark(deviceId: string): number {
    const row = this.db
      .prepare('SELECT seq FROM sync_telemetry_watermark WHERE device_id = ?')
      .get(deviceId) as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  setWatermark(deviceId: string, seq: number): void {
    this.db
      .prepare(
        `INSERT INTO sync_telemetry_watermark (device_id, seq) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET seq = max(seq, excluded.seq)`,
      )
      .run(deviceId, seq);
  }

  telemetryAfter(deviceId: string, afterSeq: number, limit: number): TelemetryRow[] {
    const rows = this.db
      .prepare(
        `SELECT key, ts, value, sync_seq AS seq FROM telemetry
         WHERE device_id = ? AND sync_seq > ? ORDER BY sync_seq LIMIT ?`,
      )
      .all(deviceId, afterSeq, limit) as { key: string; ts: number; value: string; seq: number }[];
    return rows.map((r) => ({ key: r.key, ts: r.ts, value: parse(r.value), seq: r.seq }));
  }

  /**
   * Telemetry rows still to push, per device (devices the cloud gave up on excluded). Read from
   * the counts the schema keeps (migration 6): the same cost at any number of unsent rows.
   */
  pendingTelemetry(): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT p.device_id AS deviceId, p.n AS n
         FROM sync_telemetry_pending p JOIN devices d ON d.id = p.device_id
         WHERE d.cloud_deleted_at IS NULL AND p.n > 0`,
      )
      .all() as { deviceId: string; n: number }[];
    return new Map(rows.map((r) => [r.deviceId, r.n]));
  }

  // ---- log ----

  log(level: LogEntry['level'], message: string, now = Date.now()): LogEntry {
    const info = this.db
      .prepare('INSERT INTO sync_log (at, level, message) VALUES (?, ?, ?)')
      .run(now, level, message);
    const id = Number(info.lastInsertRowid);
    if (id % 100 === 0)
      this.db.prepare('DELETE FROM sync_log WHERE id <= ?').run(id - MAX_LOG_ENTRIES);
    return { id, at: now, level, message };
  }

  recentLog(limit: number): LogEntry[] {
    return this.db
      .prepare('SELECT id, at, level, message FROM sync_log ORDER BY id DESC LIMIT ?')
      .all(limit) as LogEntry[];
  }
}
