import type { Db } from '../storage/database';
import { statementCache, type StatementCache } from '../storage/statements';

/** Keys of station_settings; one place, so a typo can't create a second setting. */
const SITE_NETWORK = 'mqtt.siteNetwork';

/** The station's own choices that outlive a restart (key-value rows in station_settings). */
export class StationSettingsRepository {
  private readonly sql: StatementCache;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** The technician's last choice of the Station page switch; undefined if never made. */
  siteNetwork(): boolean | undefined {
    const value = this.get(SITE_NETWORK);
    // Anything but the two written values (a hand-edited row) counts as no choice.
    if (value === 'on') return true;
    if (value === 'off') return false;
    return undefined;
  }

  setSiteNetwork(enabled: boolean): void {
    this.set(SITE_NETWORK, enabled ? 'on' : 'off');
  }

  private get(key: string): string | undefined {
    const row = this.sql<[string], { value: string }>(
      'SELECT value FROM station_settings WHERE key = ?',
    ).get(key);
    return row?.value;
  }

  private set(key: string, value: string): void {
    this.sql(
      'INSERT INTO station_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }
}
