import type { Db } from '../storage/database';
import { requireRow, type StatementCache, statementCache } from '../storage/statements';

export interface TelemetryEntry {
  ts: number;
  values: Record<string, unknown>;
}

/** A point as stored: the value is JSON text. */
interface StoredPoint {
  key: string;
  ts: number;
  value: string;
}

export class TelemetryRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** Same key at the same ts overwrites, as in ThingsBoard. */
  insert(deviceId: string, entries: readonly TelemetryEntry[]): void {
    const upsert = this.sql(
      `INSERT INTO telemetry (device_id, key, ts, value) VALUES (?, ?, ?, ?)
       ON CONFLICT (device_id, key, ts) DO UPDATE SET value = excluded.value`,
    );
    for (const entry of entries) {
      for (const [key, value] of Object.entries(entry.values))
        upsert.run(deviceId, key, entry.ts, JSON.stringify(value));
    }
  }

  latest(deviceId: string): { key: string; ts: number; value: unknown }[] {
    const rows = this.sql<[string], StoredPoint>(
      `SELECT key, max(ts) AS ts, value FROM telemetry WHERE device_id = ? GROUP BY key ORDER BY key`,
    ).all(deviceId);
    return rows.map((row) => ({ key: row.key, ts: row.ts, value: JSON.parse(row.value) }));
  }

  // ---- retention (migration 7) ----

  /** Takes a mark of how far the telemetry sequence got, at most one per `everyMs`. */
  markAge(now: number, everyMs: number): void {
    const last = requireRow(
      this.sql<[], { at: number | null }>('SELECT max(at) AS at FROM telemetry_age_marks').get(),
      'latest telemetry age mark',
    );
    if (last.at !== null && last.at > now - everyMs) return;
    this.sql(
      `INSERT INTO telemetry_age_marks (at, seq)
       SELECT ?, value FROM sync_sequence WHERE name = 'telemetry'`,
    ).run(now);
  }

  /**
   * The highest sequence number written at or before `cutoff` (0 if none is known); marks
   * older than that one are of no more use and go.
   */
  sequenceAt(cutoff: number): number {
    const mark = this.sql<[number], { at: number; seq: number }>(
      'SELECT at, seq FROM telemetry_age_marks WHERE at <= ? ORDER BY at DESC LIMIT 1',
    ).get(cutoff);
    if (!mark) return 0;
    this.sql('DELETE FROM telemetry_age_marks WHERE at < ?').run(mark.at);
    return mark.seq;
  }

  /** Per device, the sequence number up to which rows may go: pushed, or older than the age. */
  retentionBounds(ageSeq: number): { deviceId: string; bound: number }[] {
    return this.sql<[number], { deviceId: string; bound: number }>(
      `SELECT d.id AS deviceId, max(coalesce(w.seq, 0), ?) AS bound
       FROM devices d LEFT JOIN sync_telemetry_watermark w ON w.device_id = d.id`,
    ).all(ageSeq);
  }

  /**
   * Deletes up to `limit` of a device's rows numbered up to `bound`, oldest first, keeping the
   * newest value of each key (what the device page shows). Returns how many went.
   */
  deleteUpTo(deviceId: string, bound: number, limit: number): number {
    return this.sql(
      `DELETE FROM telemetry WHERE (device_id, key, ts) IN (
         SELECT device_id, key, ts FROM telemetry t
         WHERE device_id = ? AND sync_seq <= ?
           AND EXISTS (SELECT 1 FROM telemetry n WHERE n.device_id = t.device_id AND n.key = t.key AND n.ts > t.ts)
         ORDER BY sync_seq LIMIT ?)`,
    ).run(deviceId, bound, limit).changes;
  }

  /** The newest points of every key, newest first: what the device said lately. */
  recent(deviceId: string, limit: number): { key: string; ts: number; value: unknown }[] {
    const rows = this.sql<[string, number], StoredPoint>(
      `SELECT key, ts, value FROM telemetry WHERE device_id = ? ORDER BY ts DESC, key LIMIT ?`,
    ).all(deviceId, limit);
    return rows.map((row) => ({ key: row.key, ts: row.ts, value: JSON.parse(row.value) }));
  }
}
