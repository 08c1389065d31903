import type { Migration } from '../migrations';

export const migration: Migration = {
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
};
