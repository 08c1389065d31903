import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 7,
  name: 'telemetry retention',
  sql: `
    -- How far the telemetry sequence had got at a time: the age of a row is that of the first
    -- mark at or above its number, so retention deletes by sequence on the existing index
    -- (telemetry_sync) and the write path gets no index on time. Rows written before this
    -- migration count as written when the first mark is taken.
    CREATE TABLE telemetry_age_marks (at INTEGER PRIMARY KEY, seq INTEGER NOT NULL);
  `,
};
