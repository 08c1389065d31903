import type { Db } from './database';
import { statementCache } from './statements';

/**
 * A value that changes whenever anything is written to the database: by this connection (rows
 * changed since it opened, which counts every INSERT, UPDATE and DELETE, those a trigger or a
 * foreign key adds riding on one) or by another (SQLite's data_version). Equal values mean no
 * row changed in between, so what was read from the database then still holds; one query of no
 * table, much cheaper than reading again what it guards.
 */
export function writeCount(db: Db): () => string {
  const sql = statementCache(db);
  return () => {
    const row = sql<[], { changes: number; version: number }>(
      'SELECT total_changes() AS changes, data_version AS version FROM pragma_data_version',
    ).get();
    return `${row?.changes}:${row?.version}`;
  };
}
