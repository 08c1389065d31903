import type { Db } from '../storage/database';
import { KeyValueTable } from './key-value-table';

/** The sync's settings: the cloud signed in to, the automatic sync switch, last pull and push. */
export type SyncSettingKey =
  | 'cloud.url'
  | 'cloud.username'
  | 'cloud.boundUrl'
  | 'cloud.autoSync'
  | 'cloud.lastPullAt'
  | 'cloud.lastPushAt';

export class SyncSettings {
  private readonly table: KeyValueTable;

  constructor(db: Db) {
    this.table = new KeyValueTable(db, 'sync_settings');
  }

  get(key: SyncSettingKey): string | undefined {
    return this.table.get(key);
  }

  number(key: SyncSettingKey): number | null {
    const value = this.table.get(key);
    return value === undefined ? null : Number(value);
  }

  set(key: SyncSettingKey, value: string | number | null): void {
    this.table.set(key, value === null ? null : String(value));
  }
}
