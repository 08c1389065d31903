import type { Db } from '../storage/database';
import { type RowLookup, rowLookup } from '../storage/row-lookup';
import { type StatementCache, statementCache } from '../storage/statements';
import { type CloudLinkedTable, markCloudDeleted } from './cloud-columns';

/**
 * What the sync's view of every linked table has alike: the finders by id and cloud id, the rows
 * the cloud has, and the "deleted in the cloud" mark. Each table's repository adds its own.
 */
export abstract class CloudLinkedRows<Row, Item> {
  protected readonly sql: StatementCache;
  protected readonly rows: RowLookup<Item>;

  protected constructor(
    protected readonly db: Db,
    private readonly table: CloudLinkedTable,
    toItem: (row: Row) => Item,
  ) {
    this.sql = statementCache(db);
    this.rows = rowLookup(db, `SELECT * FROM ${table}`, toItem);
  }

  get(id: string): Item | undefined {
    return this.rows.one('id = ?', id);
  }

  byCloudId(cloudId: string): Item | undefined {
    return this.rows.one('cloud_id = ?', cloudId);
  }

  withCloudId(): Item[] {
    return this.rows.all('cloud_id IS NOT NULL');
  }

  markDeleted(id: string, now: number): void {
    markCloudDeleted(this.db, this.table, id, now);
  }
}
