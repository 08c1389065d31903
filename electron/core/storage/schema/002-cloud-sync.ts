import type { Migration } from '../migrations';

export const migration: Migration = {
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
};
