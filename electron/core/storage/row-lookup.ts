import type { Db } from './database';
import { statementCache } from './statements';

/** Finds rows of one SELECT by a WHERE clause and turns each into what the caller works with. */
export interface RowLookup<Item> {
  one(where: string, ...params: unknown[]): Item | undefined;
  all(where: string, ...params: unknown[]): Item[];
}

/**
 * One place for "run the query, type the row, map it": a repository with many finders
 * (by id, by cloud id, by name...) then states only what differs, the WHERE clause.
 */
export function rowLookup<Row, Item>(
  db: Db,
  select: string,
  toItem: (row: Row) => Item,
): RowLookup<Item> {
  const sql = statementCache(db);
  return {
    one(where, ...params) {
      const row = sql<unknown[], Row>(`${select} WHERE ${where}`).get(...params);
      return row && toItem(row);
    },
    all(where, ...params) {
      return sql<unknown[], Row>(`${select} WHERE ${where}`)
        .all(...params)
        .map(toItem);
    },
  };
}
