import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 3,
  name: 'jobs',
  sql: `
    -- A rollout: one package to a selection of devices or a profile, with the site's policy.
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      package_id TEXT REFERENCES packages (id) ON DELETE SET NULL,
      type TEXT NOT NULL CHECK (type IN ('FIRMWARE', 'SOFTWARE')),
      package_title TEXT NOT NULL,
      package_version TEXT NOT NULL,
      target TEXT NOT NULL, -- JSON: the devices or the profile the technician chose
      concurrency INTEGER NOT NULL, -- 0: no limit
      timeout_sec INTEGER NOT NULL, -- 0: never
      retries INTEGER NOT NULL,
      halt_after_failures INTEGER,
      halt_after_percent REAL,
      start_at INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELED')),
      status_reason TEXT,
      created_at INTEGER NOT NULL,
      started_at INTEGER,
      finished_at INTEGER
    );
    CREATE INDEX jobs_open ON jobs (status) WHERE status IN ('SCHEDULED', 'RUNNING', 'PAUSED');
    ALTER TABLE executions ADD COLUMN job_id TEXT REFERENCES jobs (id) ON DELETE SET NULL;
    CREATE INDEX executions_job ON executions (job_id, state);
  `,
};
