import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 5,
  name: 'station settings',
  sql: `
    -- Choices made in the UI that outlive a restart (e.g. serving the site network).
    CREATE TABLE station_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
};
