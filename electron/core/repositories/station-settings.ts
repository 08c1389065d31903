import type { Db } from '../storage/database';
import { KeyValueTable } from './key-value-table';

/** Keys of station_settings; one place, so a typo can't create a second setting. */
const SITE_NETWORK = 'mqtt.siteNetwork';

/** The station's own choices that outlive a restart (key-value rows in station_settings). */
export class StationSettingsRepository {
  private readonly table: KeyValueTable;

  constructor(db: Db) {
    this.table = new KeyValueTable(db, 'station_settings');
  }

  /** The technician's last choice of the Station page switch; undefined if never made. */
  siteNetwork(): boolean | undefined {
    const value = this.table.get(SITE_NETWORK);
    // Anything but the two written values (a hand-edited row) counts as no choice.
    if (value === 'on') return true;
    if (value === 'off') return false;
    return undefined;
  }

  setSiteNetwork(enabled: boolean): void {
    this.table.set(SITE_NETWORK, enabled ? 'on' : 'off');
  }
}
