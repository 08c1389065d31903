import type { Db } from '../storage/database';
import { type StatementCache, statementCache } from '../storage/statements';

/** The tables of (key TEXT PRIMARY KEY, value TEXT) rows: settings that outlive a restart. */
export type KeyValueTableName = 'station_settings' | 'sync_settings';

/** One key-value table; a key set to null is deleted. */
export class KeyValueTable {
  private readonly sql: StatementCache;

  constructor(
    db: Db,
    private readonly table: KeyValueTableName,
  ) {
    this.sql = statementCache(db);
  }

  get(key: string): string | undefined {
    return this.sql<[string], { value: string }>(
      `SELECT value FROM ${this.table} WHERE key = ?`,
    ).get(key)?.value;
  }

  set(key: string, value: string | null): void {
    if (value === null) this.sql(`DELETE FROM ${this.table} WHERE key = ?`).run(key);
    else
      this.sql(
        `INSERT INTO ${this.table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ).run(key, value);
  }
}
