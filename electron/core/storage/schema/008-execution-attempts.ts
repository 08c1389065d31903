import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 8,
  name: 'execution attempts',
  sql: `
    -- Every try of a delivery keeps its own outcome: a retry must not erase why the one before
    -- failed, nor whose verdict it was (the device's fw_error or the station's time-out).
    CREATE TABLE execution_attempts (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
      started_at INTEGER NOT NULL,
      ended_at INTEGER,
      outcome TEXT,
      error TEXT,
      reported_by TEXT CHECK (reported_by IN ('DEVICE', 'STATION')),
      bytes_served INTEGER NOT NULL DEFAULT 0,
      note TEXT
    );
    CREATE INDEX execution_attempts_execution ON execution_attempts (execution_id, id);
    -- Deliveries made before this keep what was known of their last try.
    INSERT INTO execution_attempts (execution_id, started_at, ended_at, outcome, error, reported_by, bytes_served)
      SELECT id, created_at, finished_at, CASE WHEN finished_at IS NULL THEN NULL ELSE state END, error,
        CASE WHEN state = 'TIMED_OUT' THEN 'STATION' WHEN error IS NULL THEN NULL ELSE 'DEVICE' END,
        bytes_served
      FROM executions;
  `,
};
