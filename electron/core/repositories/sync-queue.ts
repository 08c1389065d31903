import type { Db } from '../storage/database';
import { requireRow, type StatementCache, statementCache } from '../storage/statements';
import { parseJsonColumn } from './json-column';

/**
 * The outbox as the sync works through it (migration 2): each item with where it stands. The
 * items are written by the changes themselves (enqueueOutbox in ./outbox).
 */
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

/** An outbox row with its sync_item_state, if it has one. */
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

const SELECT_ITEMS = `
  SELECT o.*, s.status, s.attempts, s.error, s.detail, s.progress
  FROM outbox o LEFT JOIN sync_item_state s ON s.seq = o.seq`;

function toItem(row: ItemRow): OutboxItem {
  return {
    seq: row.seq,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    entityId: row.entity_id,
    payload: parseJsonColumn(row.payload),
    createdAt: row.created_at,
    status: row.status ?? 'PENDING',
    attempts: row.attempts ?? 0,
    error: row.error,
    detail: row.detail === null ? null : parseJsonColumn(row.detail),
    progress: (row.progress === null ? {} : parseJsonColumn(row.progress)) as Record<
      string,
      unknown
    >,
  };
}

export class SyncQueue {
  private readonly sql: StatementCache;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  items(): OutboxItem[] {
    return this.sql<[], ItemRow>(`${SELECT_ITEMS} ORDER BY o.seq`).all().map(toItem);
  }

  /**
   * How many items of each kind and status: what the cloud status shows, counted in SQL. The
   * status is recomputed about once a second with a UI open; building every item (payloads
   * parsed) for it cost as much as the outbox is long.
   */
  itemCounts(): { kind: string; status: ItemStatus; n: number }[] {
    return this.sql<[], { kind: string; status: ItemStatus; n: number }>(
      `SELECT o.kind AS kind, coalesce(s.status, 'PENDING') AS status, count(*) AS n
       FROM outbox o LEFT JOIN sync_item_state s ON s.seq = o.seq GROUP BY 1, 2`,
    ).all();
  }

  item(seq: number): OutboxItem | undefined {
    const row = this.sql<[number], ItemRow>(`${SELECT_ITEMS} WHERE o.seq = ?`).get(seq);
    return row && toItem(row);
  }

  itemsOf(entityId: string): OutboxItem[] {
    return this.sql<[string], ItemRow>(`${SELECT_ITEMS} WHERE o.entity_id = ? ORDER BY o.seq`)
      .all(entityId)
      .map(toItem);
  }

  /** The number of the newest item (0 when the outbox was always empty). */
  lastSeq(): number {
    const row = this.sql<[], { seq: number }>(
      'SELECT coalesce(max(seq), 0) AS seq FROM outbox',
    ).get();
    return requireRow(row, 'outbox sequence').seq;
  }

  /**
   * The item is done: `apply` records what the cloud now knows (cloud ids) and the item goes,
   * in one transaction, so a crash leaves either both or neither.
   */
  complete(seq: number, apply?: () => void): void {
    this.db.transaction(() => {
      apply?.();
      this.remove(seq);
    })();
  }

  setProgress(seq: number, progress: Record<string, unknown>, now = Date.now()): void {
    this.sql(
      `INSERT INTO sync_item_state (seq, status, progress, updated_at) VALUES (?, 'PENDING', ?, ?)
       ON CONFLICT (seq) DO UPDATE SET progress = excluded.progress, updated_at = excluded.updated_at`,
    ).run(seq, JSON.stringify(progress), now);
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
    this.sql(
      `INSERT INTO sync_item_state (seq, status, attempts, error, updated_at) VALUES (?, 'PENDING', 1, ?, ?)
       ON CONFLICT (seq) DO UPDATE SET attempts = attempts + 1, error = excluded.error, updated_at = excluded.updated_at`,
    ).run(seq, error, now);
  }

  private setStatus(
    seq: number,
    status: ItemStatus,
    error: string | null,
    detail: string | null,
    now: number,
  ): void {
    this.sql(
      `INSERT INTO sync_item_state (seq, status, error, detail, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (seq) DO UPDATE SET status = excluded.status, error = excluded.error,
         detail = excluded.detail, updated_at = excluded.updated_at`,
    ).run(seq, status, error, detail, now);
  }

  /** Drops items without pushing them (superseded, or discarded by the technician). */
  drop(seqs: readonly number[]): void {
    this.db.transaction(() => seqs.forEach((seq) => this.remove(seq)))();
  }

  /**
   * Drops the device's (profile's) assignment items written after `afterSeq`: those of an
   * assignment the cloud already has.
   */
  dropAssignmentsAfter(afterSeq: number, entityId: string): void {
    this.sql(
      "DELETE FROM outbox WHERE seq > ? AND entity_id = ? AND kind IN ('assignment.set', 'assignment.cleared', 'profile-assignment.set')",
    ).run(afterSeq, entityId);
  }

  private remove(seq: number): void {
    this.sql('DELETE FROM outbox WHERE seq = ?').run(seq);
  }
}
