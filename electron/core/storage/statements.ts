import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/**
 * Prepared statements, compiled once per SQL text. Preparing on every call cost more than the
 * queries themselves on the chunk/telemetry paths (measured: a third of the station's CPU).
 */
const caches = new WeakMap<Db, (sql: string) => Statement>();

/** The one statement cache of a database connection. */
export function statementCache(db: Db): (sql: string) => Statement {
  const existing = caches.get(db);
  if (existing) return existing;
  const cache = new Map<string, Statement>();
  const lookup = (sql: string): Statement => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  caches.set(db, lookup);
  return lookup;
}
