import type { Db } from '../storage/database';
import { type StatementCache, statementCache } from '../storage/statements';

export type AttributeScope = 'CLIENT' | 'SHARED';
export type AttributeMap = Record<string, unknown>;

export class AttributeRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  set(deviceId: string, scope: AttributeScope, values: AttributeMap, now = Date.now()): void {
    const upsert = this.sql(
      `INSERT INTO attributes (device_id, scope, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id, scope, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    for (const [key, value] of Object.entries(values)) {
      upsert.run(deviceId, scope, key, JSON.stringify(value), now);
    }
  }

  delete(deviceId: string, scope: AttributeScope, keys: readonly string[]): void {
    const remove = this.sql('DELETE FROM attributes WHERE device_id = ? AND scope = ? AND key = ?');
    for (const key of keys) remove.run(deviceId, scope, key);
  }

  /** All attributes of a scope, or only the named keys (missing keys are left out). */
  get(deviceId: string, scope: AttributeScope, keys?: readonly string[]): AttributeMap {
    const rows = this.sql<[string, AttributeScope], { key: string; value: string }>(
      'SELECT key, value FROM attributes WHERE device_id = ? AND scope = ?',
    ).all(deviceId, scope);
    const stored = new Map(rows.map((row) => [row.key, row.value]));
    const result: AttributeMap = {};
    // Answer in the order the device asked, so responses read like the request.
    for (const key of keys ?? stored.keys()) {
      const value = stored.get(key);
      if (value !== undefined) result[key] = JSON.parse(value);
    }
    return result;
  }
}
