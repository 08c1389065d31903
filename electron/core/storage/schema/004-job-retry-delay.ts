import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 4,
  name: 'job retry delay',
  sql: `
    -- Jobs made before this kept the fixed 2 s they were created with.
    ALTER TABLE jobs ADD COLUMN retry_delay_sec INTEGER NOT NULL DEFAULT 2;
  `,
};
