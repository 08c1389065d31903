import type { Db } from '../storage/database';
import { requireRow, type StatementCache, statementCache } from '../storage/statements';
import { parseJsonColumn } from './json-column';

/** A telemetry row numbered for the cloud (telemetry.sync_seq). */
export interface TelemetryRow {
  key: string;
  ts: number;
  value: unknown;
  seq: number;
}

/**
 * How far each device's telemetry reached the cloud (migrations 2 and 6): every row is numbered
 * from one sequence, and per device a watermark says up to which number the cloud has it.
 */
export class TelemetryWatermarks {
  private readonly sql: StatementCache;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  watermark(deviceId: string): number {
    return (
      this.sql<[string], { seq: number }>(
        'SELECT seq FROM sync_telemetry_watermark WHERE device_id = ?',
      ).get(deviceId)?.seq ?? 0
    );
  }

  /** Moves the watermark up (never down: a batch confirmed late must not resend later ones). */
  setWatermark(deviceId: string, seq: number): void {
    this.sql(
      `INSERT INTO sync_telemetry_watermark (device_id, seq) VALUES (?, ?)
       ON CONFLICT (device_id) DO UPDATE SET seq = max(seq, excluded.seq)`,
    ).run(deviceId, seq);
  }

  /** The cloud has none of the device's telemetry (a device it gets anew): all of it goes again. */
  resetWatermark(deviceId: string): void {
    this.sql('DELETE FROM sync_telemetry_watermark WHERE device_id = ?').run(deviceId);
  }

  /** The device's rows numbered above `afterSeq`, in order. */
  rowsAfter(deviceId: string, afterSeq: number, limit: number): TelemetryRow[] {
    return this.sql<
      [string, number, number],
      { key: string; ts: number; value: string; seq: number }
    >(
      `SELECT key, ts, value, sync_seq AS seq FROM telemetry
       WHERE device_id = ? AND sync_seq > ? ORDER BY sync_seq LIMIT ?`,
    )
      .all(deviceId, afterSeq, limit)
      .map((r) => ({ key: r.key, ts: r.ts, value: parseJsonColumn(r.value), seq: r.seq }));
  }

  /**
   * Telemetry rows still to push, per device (devices the cloud gave up on excluded). Read from
   * the counts the schema keeps (migration 6): the same cost at any number of unsent rows.
   */
  pending(): Map<string, number> {
    const rows = this.sql<[], { deviceId: string; n: number }>(
      `SELECT p.device_id AS deviceId, p.n AS n
       FROM sync_telemetry_pending p JOIN devices d ON d.id = p.device_id
       WHERE d.cloud_deleted_at IS NULL AND p.n > 0`,
    ).all();
    return new Map(rows.map((r) => [r.deviceId, r.n]));
  }

  /** The number the last telemetry row written got. */
  sequence(): number {
    const row = this.sql<[], { value: number }>(
      "SELECT value FROM sync_sequence WHERE name = 'telemetry'",
    ).get();
    return requireRow(row, 'telemetry sequence (migration 2)').value;
  }

  /** The device's rows numbered in (after, upTo] stay on the station: not for the cloud. */
  keepLocal(deviceId: string, after: number, upTo: number): void {
    this.sql(
      'UPDATE telemetry SET sync_seq = NULL WHERE device_id = ? AND sync_seq > ? AND sync_seq <= ?',
    ).run(deviceId, after, upTo);
  }
}
