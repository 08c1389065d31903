import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TelemetryWatermarks } from '../../electron/core/repositories/telemetry-watermarks';
import { DATABASE_FILE_NAME, migrate, openDatabase } from '../../electron/core/storage/database';
import { MIGRATIONS } from '../../electron/core/storage/migrations';
import { plansOf, statementsRunBy } from '../support/statement-probe';
import { startStationFixture, type StationFixture } from '../support/station-fixture';

/**
 * The cloud status is recomputed about once a second while a UI is open. Without a cloud
 * sign-in every telemetry row stays unsent, so whatever it reads must not grow with them.
 */
describe('the pending-telemetry count of the cloud status', () => {
  let fx: StationFixture;
  let writer: Database.Database;
  let deviceId: string;
  let ts = 1_700_000_000_000;

  beforeEach(async () => {
    fx = await startStationFixture();
    const profile = await fx.profile('CIM-168');
    deviceId = (await fx.device('chatty', profile.id, 'chatty-token')).id;
    writer = new Database(path.join(fx.dataDir, DATABASE_FILE_NAME));
    writer.pragma('busy_timeout = 5000');
  });
  afterEach(async () => {
    writer.close();
    await fx.close();
  });

  /** Rows as a device's telemetry writes them (the schema's triggers number them for the push). */
  function addTelemetry(rows: number): void {
    // One statement (the rows from a counter), so the time goes to the station's triggers only.
    writer
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO telemetry (device_id, key, ts, value)
         SELECT ?, 'temperature', ? + i, CAST(i % 40 AS TEXT) FROM n`,
      )
      .run(rows, deviceId, ts);
    ts += rows;
  }

  async function measure(): Promise<{ points: number; statements: string[]; plans: string[][] }> {
    let points = -1;
    const statements = await statementsRunBy(async () => {
      points = (await fx.station.api['cloud.status']({})).pending.telemetryPoints;
    });
    return { points, statements, plans: plansOf(writer, statements) };
  }

  it('reads the same rows with 500,000 unsent rows as with 500, and none of the telemetry', async () => {
    addTelemetry(500);
    const small = await measure();
    expect(small.points).toBe(500);

    addTelemetry(499_500);
    const large = await measure();
    expect(large.points).toBe(500_000);

    expect(large.statements).toEqual(small.statements);
    expect(large.plans).toEqual(small.plans);
    // No statement of the computation reads the telemetry table or one of its indexes.
    expect(large.statements.filter((sql) => /\b(FROM|JOIN)\s+telemetry\b/i.test(sql))).toEqual([]);
    expect(large.plans.flat().filter((line) => /\btelemetry(_\w+)?\b/.test(line))).toEqual([]);
  }, 400_000);

  it('keeps the count right as rows are pushed, re-written and deleted', async () => {
    addTelemetry(1000);
    const seq = (n: number) =>
      (
        writer
          .prepare(
            'SELECT sync_seq AS s FROM telemetry WHERE device_id = ? ORDER BY sync_seq LIMIT 1 OFFSET ?',
          )
          .get(deviceId, n - 1) as { s: number }
      ).s;
    const points = async () => (await fx.station.api['cloud.status']({})).pending.telemetryPoints;
    // The cloud accepted the first 600 (the push moves the watermark as it goes).
    writer
      .prepare('INSERT INTO sync_telemetry_watermark (device_id, seq) VALUES (?, ?)')
      .run(deviceId, seq(600));
    expect(await points()).toBe(400);
    writer
      .prepare('UPDATE sync_telemetry_watermark SET seq = ? WHERE device_id = ?')
      .run(seq(700), deviceId);
    expect(await points()).toBe(300);
    // A pushed point written again with another value must go again; an unsent one counts once.
    const first = writer
      .prepare('SELECT ts FROM telemetry WHERE device_id = ? ORDER BY sync_seq LIMIT 1')
      .get(deviceId) as { ts: number };
    const rewrite = writer.prepare(
      `INSERT INTO telemetry (device_id, key, ts, value) VALUES (?, 'temperature', ?, '"new"')
       ON CONFLICT (device_id, key, ts) DO UPDATE SET value = excluded.value`,
    );
    rewrite.run(deviceId, first.ts);
    expect(await points()).toBe(301);
    rewrite.run(deviceId, first.ts + 999);
    expect(await points()).toBe(301);
    // Deleted rows: pushed ones change nothing, unsent ones leave the count.
    writer
      .prepare('DELETE FROM telemetry WHERE device_id = ? AND ts < ?')
      .run(deviceId, first.ts + 10);
    expect(await points()).toBe(300);
    writer
      .prepare('DELETE FROM telemetry WHERE device_id = ? AND ts >= ?')
      .run(deviceId, first.ts + 990);
    expect(await points()).toBe(290);
  });
});

describe('migration 6 on a database that already has telemetry', () => {
  it('counts the unsent rows each device had before the upgrade', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-migrate-'));
    const db = openDatabase(
      dir,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    try {
      db.exec(`
        INSERT INTO device_profiles (id, name, created_at) VALUES ('p', 'CIM-168', 0);
        INSERT INTO devices (id, name, profile_id, access_token, created_at)
          VALUES ('a', 'a', 'p', 'ta', 0), ('b', 'b', 'p', 'tb', 0);
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 100)
        INSERT INTO telemetry (device_id, key, ts, value) SELECT 'a', 'k', i, '1' FROM n;
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 30)
        INSERT INTO telemetry (device_id, key, ts, value) SELECT 'b', 'k', i, '1' FROM n;
        INSERT INTO sync_telemetry_watermark (device_id, seq)
          SELECT 'a', sync_seq FROM telemetry WHERE device_id = 'a' ORDER BY sync_seq LIMIT 1 OFFSET 39;
      `);
      migrate(db, MIGRATIONS);
      expect([...new TelemetryWatermarks(db).pending()].sort()).toEqual([
        ['a', 60],
        ['b', 30],
      ]);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
