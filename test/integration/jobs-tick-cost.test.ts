import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import { plansOf, statementsRunBy } from '../support/statement-probe';
import { startStationFixture, type StationFixture } from '../support/station-fixture';

/**
 * The job scheduler ticks every second. A day of jobs (one every two minutes, one execution per
 * device each) must not make the tick read every job and execution ever made.
 */
describe('the job scheduler tick on a long day', () => {
  let fx: StationFixture;
  let writer: Database.Database;
  afterEach(async () => {
    writer.close();
    await fx.close();
  });

  it('reads open jobs only: no full scan of jobs or executions, however many have finished', async () => {
    fx = await startStationFixture();
    const profileId = (await fx.profile('CIM-168')).id;
    const device = await fx.device('busy', profileId);
    writer = new Database(path.join(fx.dataDir, DATABASE_FILE_NAME));
    writer.pragma('busy_timeout = 5000');
    // A finished day: 720 completed jobs of 300 executions each (here one device, as many rows).
    writer.exec(`
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 720)
      INSERT INTO jobs (id, type, package_title, package_version, target, concurrency, timeout_sec,
        retries, start_at, status, created_at, started_at, finished_at)
      SELECT 'job-' || i, 'FIRMWARE', 'CIM-168', '1.0.' || i, '{}', 50, 600, 1, i, 'COMPLETED', i, i, i
      FROM n;
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 216000)
      INSERT INTO executions (id, device_id, type, package_title, package_version, size, state,
        created_at, updated_at, finished_at, job_id)
      SELECT 'exec-' || i, '${device.id}', 'FIRMWARE', 'CIM-168', '1.0.0', 1, 'UPDATED', i, i, i,
        'job-' || (i % 720)
      FROM n;
      ANALYZE;
    `);
    // A few ticks' worth of whatever the station runs on its own.
    const statements = await statementsRunBy(() => new Promise((r) => setTimeout(r, 2500)));
    expect(statements.some((sql) => /FROM jobs/.test(sql))).toBe(true);
    const scans = plansOf(writer, [...new Set(statements)])
      .flat()
      .filter((line) => /^SCAN (jobs|executions|j|e)\b/.test(line));
    expect(scans).toEqual([]);
  }, 120_000);
});
