import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';

export interface TelemetryEntry {
  ts: number;
  values: Record<string, unknown>;
}

export class TelemetryRepository {
  private readonly sql: ReturnType<typeof statementCache>;

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
    const rows = this.sql(
      `SELECT key, max(ts) AS ts, value FROM telemetry WHERE device_id = ? GROUP BY key ORDER BY key`,
    ).all(deviceId) as { key: string; ts: number; value: string }[];
    return rows.map((row) => ({ key: row.key, ts: row.ts, value: JSON.parse(row.value) }));
  }

  /** The newest points of every key, newest first: what the device said lately. */
  recent(deviceId: string, limit: number): { key: string; ts: number; value: unknown }[] {
    const rows = this.sql(
      `SELECT key, ts, value FROM telemetry WHERE device_id = ? ORDER BY ts DESC, key LIMIT ?`,
    ).all(deviceId, limit) as { key: string; ts: number; value: string }[];
    return rows.map((row) => ({ key: row.key, ts: row.ts, value: JSON.parse(row.value) }));
  }
}
