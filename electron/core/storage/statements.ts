import type { Statement } from 'better-sqlite3';

import type { Db } from './database';

/**
 * A cached statement, typed by its bind parameters and the row it returns (better-sqlite3's own
 * `Statement<Params, Row>` generics): `sql<[string], DeviceRow>('SELECT ... WHERE id = ?')`
 * states the row type once, where the SQL is, and `.get()`/`.all()` then return that type.
 * Parameters may be a tuple, or `[{ name: value }]` for named ones.
 */
export type StatementCache = <Params extends unknown[] | object = unknown[], Row = unknown>(
  sql: string,
) => Statement<Params, Row>;

/**
 * Prepared statements, compiled once per SQL text. Preparing on every call cost more than the
 * queries themselves on the chunk/telemetry paths (measured: a third of the station's CPU).
 */
const caches = new WeakMap<Db, StatementCache>();

/** The one statement cache of a database connection. */
export function statementCache(db: Db): StatementCache {
  const existing = caches.get(db);
  if (existing) return existing;
  const cache = new Map<string, Statement>();
  const lookup = <Params extends unknown[] | object, Row>(sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    // The types the caller gives are its promise about the SQL's columns: SQLite checks none.
    return statement as unknown as Statement<Params, Row>;
  };
  caches.set(db, lookup);
  return lookup;
}

/**
 * The row of a query that always has one (an aggregate without GROUP BY, a row a migration
 * wrote): typed without `| undefined`, and a loud error should the schema ever say otherwise.
 */
export function requireRow<Row>(row: Row | undefined, what: string): Row {
  if (row === undefined) throw new Error(`The database has no ${what}`);
  return row;
}
