import type { Migration } from '../migrations';

export const migration: Migration = {
  version: 6,
  name: 'pending telemetry count',
  sql: `
    -- Per device: how many telemetry rows are numbered above its watermark (still to push).
    -- Kept by the triggers below, so that the cloud status, recomputed about once a second,
    -- reads one row per device instead of every unsent row (without a cloud sign-in, all).
    CREATE TABLE sync_telemetry_pending (
      device_id TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
      n INTEGER NOT NULL
    );
    INSERT INTO sync_telemetry_pending (device_id, n)
      SELECT t.device_id, count(*) FROM telemetry t
      LEFT JOIN sync_telemetry_watermark w ON w.device_id = t.device_id
      WHERE t.sync_seq > coalesce(w.seq, 0) GROUP BY t.device_id;
    -- A row counts while its number is above its device's watermark. Numbers are given and
    -- taken by UPDATEs of sync_seq: telemetry_sync_insert and telemetry_sync_update number a new
    -- or changed row, and a row made local-only (a cloud assignment applied) loses its number.
    CREATE TRIGGER telemetry_pending_gain AFTER UPDATE OF sync_seq ON telemetry
      WHEN coalesce(NEW.sync_seq, 0) > coalesce(
        (SELECT seq FROM sync_telemetry_watermark WHERE device_id = NEW.device_id), 0)
      AND coalesce(OLD.sync_seq, 0) <= coalesce(
        (SELECT seq FROM sync_telemetry_watermark WHERE device_id = NEW.device_id), 0) BEGIN
      INSERT INTO sync_telemetry_pending (device_id, n) VALUES (NEW.device_id, 1)
        ON CONFLICT (device_id) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER telemetry_pending_loss AFTER UPDATE OF sync_seq ON telemetry
      WHEN coalesce(OLD.sync_seq, 0) > coalesce(
        (SELECT seq FROM sync_telemetry_watermark WHERE device_id = NEW.device_id), 0)
      AND coalesce(NEW.sync_seq, 0) <= coalesce(
        (SELECT seq FROM sync_telemetry_watermark WHERE device_id = NEW.device_id), 0) BEGIN
      UPDATE sync_telemetry_pending SET n = n - 1 WHERE device_id = NEW.device_id;
    END;
    CREATE TRIGGER telemetry_pending_delete AFTER DELETE ON telemetry
      WHEN OLD.sync_seq > coalesce(
        (SELECT seq FROM sync_telemetry_watermark WHERE device_id = OLD.device_id), 0) BEGIN
      UPDATE sync_telemetry_pending SET n = n - 1 WHERE device_id = OLD.device_id;
    END;
    -- A push moves the watermark over the rows the cloud accepted: a range of the index, as
    -- long as the batch, never the whole table.
    CREATE TRIGGER telemetry_pending_watermark_insert AFTER INSERT ON sync_telemetry_watermark BEGIN
      UPDATE sync_telemetry_pending SET n = n - (SELECT count(*) FROM telemetry
        WHERE device_id = NEW.device_id AND sync_seq > 0 AND sync_seq <= NEW.seq)
      WHERE device_id = NEW.device_id;
    END;
    CREATE TRIGGER telemetry_pending_watermark_update AFTER UPDATE OF seq ON sync_telemetry_watermark
      WHEN NEW.seq > OLD.seq BEGIN
      UPDATE sync_telemetry_pending SET n = n - (SELECT count(*) FROM telemetry
        WHERE device_id = NEW.device_id AND sync_seq > OLD.seq AND sync_seq <= NEW.seq)
      WHERE device_id = NEW.device_id;
    END;
    -- A dropped watermark (the device is created in the cloud again): all its history is due.
    CREATE TRIGGER telemetry_pending_watermark_delete AFTER DELETE ON sync_telemetry_watermark BEGIN
      INSERT INTO sync_telemetry_pending (device_id, n)
        SELECT OLD.device_id, count(*) FROM telemetry WHERE device_id = OLD.device_id AND sync_seq > 0
        ON CONFLICT (device_id) DO UPDATE SET n = excluded.n;
    END;
  `,
};
