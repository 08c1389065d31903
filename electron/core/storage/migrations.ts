/**
 * Numbered schema migrations. Append only: a shipped migration is never edited, because
 * technicians' laptops already ran it. Each runs inside the single start-up transaction.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'station',
    sql: `
      CREATE TABLE device_profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        cloud_id TEXT UNIQUE,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE packages (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        version TEXT NOT NULL,
        tag TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('FIRMWARE', 'SOFTWARE')),
        profile_id TEXT NOT NULL REFERENCES device_profiles (id),
        file_name TEXT NOT NULL,
        content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
        size INTEGER NOT NULL CHECK (size > 0),
        checksum_algorithm TEXT NOT NULL,
        checksum TEXT NOT NULL,
        -- names the binary's file in the blob folder; the file is the cache, this row its index
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'READY' CHECK (status IN ('READY', 'CORRUPT')),
        status_detail TEXT,
        cloud_id TEXT UNIQUE,
        created_at INTEGER NOT NULL,
        UNIQUE (title, version)
      );
      CREATE INDEX packages_sha256 ON packages (sha256);

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT '',
        profile_id TEXT NOT NULL REFERENCES device_profiles (id),
        access_token TEXT NOT NULL UNIQUE,
        firmware_id TEXT REFERENCES packages (id),
        software_id TEXT REFERENCES packages (id),
        current_fw_title TEXT,
        current_fw_version TEXT,
        current_sw_title TEXT,
        current_sw_version TEXT,
        last_seen_at INTEGER,
        cloud_id TEXT UNIQUE,
        cloud_version INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX devices_profile ON devices (profile_id);

      CREATE TABLE attributes (
        device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        scope TEXT NOT NULL CHECK (scope IN ('CLIENT', 'SHARED')),
        key TEXT NOT NULL,
        value TEXT NOT NULL, -- JSON, so numbers stay numbers
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, scope, key)
      ) WITHOUT ROWID;

      CREATE TABLE telemetry (
        device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        ts INTEGER NOT NULL,
        value TEXT NOT NULL, -- JSON
        PRIMARY KEY (device_id, key, ts)
      ) WITHOUT ROWID;

      -- One OTA delivery of one package to one device. The package's identity is copied so the
      -- history stays readable after the package is deleted.
      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
        package_id TEXT REFERENCES packages (id) ON DELETE SET NULL,
        type TEXT NOT NULL CHECK (type IN ('FIRMWARE', 'SOFTWARE')),
        package_title TEXT NOT NULL,
        package_version TEXT NOT NULL,
        size INTEGER NOT NULL,
        state TEXT NOT NULL,
        error TEXT,
        bytes_served INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE INDEX executions_device ON executions (device_id, type, created_at);

      CREATE TABLE execution_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        at INTEGER NOT NULL,
        detail TEXT
      );
      CREATE INDEX execution_events_execution ON execution_events (execution_id, id);

      -- Every local change the cloud must learn, written in the same transaction as the change.
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        idempotency_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'cloud sync',
    sql: `
      -- Deleted in the cloud while the station still has history for it: kept, and marked.
      ALTER TABLE device_profiles ADD COLUMN cloud_deleted_at INTEGER;
      ALTER TABLE devices ADD COLUMN cloud_deleted_at INTEGER;
      ALTER TABLE packages ADD COLUMN cloud_deleted_at INTEGER;
      -- The device as the cloud last showed it (JSON). Saving a device sends it back whole, and
      -- its version and package ids are the base when the cloud answers 409 (three-way merge).
      ALTER TABLE devices ADD COLUMN cloud_snapshot TEXT;

      -- Telemetry is pushed by watermark, not by an outbox row per point: every row written or
      -- changed gets the next number of this sequence (NULL: not for the cloud).
      ALTER TABLE telemetry ADD COLUMN sync_seq INTEGER;
      CREATE TABLE sync_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO sync_sequence (name, value) SELECT 'telemetry', count(*) FROM telemetry;
      UPDATE telemetry SET sync_seq = numbered.n
        FROM (SELECT device_id, key, ts, row_number() OVER (ORDER BY ts, device_id, key) AS n FROM telemetry) AS numbered
        WHERE telemetry.device_id = numbered.device_id AND telemetry.key = numbered.key AND telemetry.ts = numbered.ts;
      CREATE INDEX telemetry_sync ON telemetry (device_id, sync_seq);
      CREATE TRIGGER telemetry_sync_insert AFTER INSERT ON telemetry BEGIN
        UPDATE sync_sequence SET value = value + 1 WHERE name = 'telemetry';
        UPDATE telemetry SET sync_seq = (SELECT value FROM sync_sequence WHERE name = 'telemetry')
          WHERE device_id = NEW.device_id AND key = NEW.key AND ts = NEW.ts;
      END;
      CREATE TRIGGER telemetry_sync_update AFTER UPDATE OF value ON telemetry
        WHEN OLD.value IS NOT NEW.value BEGIN
        UPDATE sync_sequence SET value = value + 1 WHERE name = 'telemetry';
        UPDATE telemetry SET sync_seq = (SELECT value FROM sync_sequence WHERE name = 'telemetry')
          WHERE device_id = NEW.device_id AND key = NEW.key AND ts = NEW.ts;
      END;
      -- Per device: every telemetry row with sync_seq up to here is in the cloud.
      CREATE TABLE sync_telemetry_watermark (
        device_id TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL
      );

      -- Where an outbox item stands when it is not simply waiting: a conflict to resolve, a
      -- failure the cloud will keep refusing, or a multi-step push half done (progress JSON).
      CREATE TABLE sync_item_state (
        seq INTEGER PRIMARY KEY REFERENCES outbox (seq) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('PENDING', 'CONFLICT', 'FAILED')),
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        detail TEXT,
        progress TEXT,
        updated_at INTEGER NOT NULL
      );

      -- The cloud's package list as last pulled: binaries are cached only for some of them.
      CREATE TABLE cloud_packages (
        cloud_id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        version TEXT NOT NULL,
        tag TEXT,
        type TEXT NOT NULL,
        profile_cloud_id TEXT,
        has_data INTEGER NOT NULL,
        file_name TEXT,
        content_type TEXT,
        checksum_algorithm TEXT,
        checksum TEXT,
        data_size INTEGER,
        created_time INTEGER NOT NULL,
        pulled_at INTEGER NOT NULL
      );

      CREATE TABLE sync_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE sync_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('info', 'warning', 'error')),
        message TEXT NOT NULL
      );
    `,
  },
  {
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
  },
  {
    version: 4,
    name: 'job retry delay',
    sql: `
      -- Jobs made before this kept the fixed 2 s they were created with.
      ALTER TABLE jobs ADD COLUMN retry_delay_sec INTEGER NOT NULL DEFAULT 2;
    `,
  },
  {
    version: 5,
    name: 'station settings',
    sql: `
      -- Choices made in the UI that outlive a restart (e.g. serving the site network).
      CREATE TABLE station_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 6,
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
  },
];
