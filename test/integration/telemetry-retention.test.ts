import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import type { RetentionOptions } from '../../electron/core/telemetry-retention';
import { nextMessage, startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';

const KEYS = ['temperature', 'humidity', 'rssi'];

/**
 * A long day's telemetry must not fill the laptop: what the cloud has, or what is older than the
 * configured age, goes in small batches while devices keep being served.
 */
describe('telemetry retention', () => {
  let fx: StationFixture;
  let writer: Database.Database;
  let ts = 1_700_000_000_000;
  let profileId: string;

  async function start(retention: Partial<RetentionOptions>): Promise<string> {
    fx = await startStationFixture({ telemetryRetention: retention });
    profileId = (await fx.profile('CIM-168')).id;
    const chatty = (await fx.device('chatty', profileId, 'chatty-token')).id;
    writer = new Database(path.join(fx.dataDir, DATABASE_FILE_NAME));
    writer.pragma('busy_timeout = 5000');
    return chatty;
  }
  afterEach(async () => {
    writer.close();
    await fx.close();
  });

  /** Rows as the device API writes them (the schema's triggers number them for the push). */
  function addTelemetry(deviceId: string, points: number, then?: () => void): void {
    const insert = writer.prepare(
      'INSERT INTO telemetry (device_id, key, ts, value) VALUES (?, ?, ?, ?)',
    );
    writer.transaction(() => {
      for (let i = 0; i < points; i++) {
        ts += 1000;
        for (const key of KEYS) insert.run(deviceId, key, ts, String(i % 50));
      }
      then?.();
    })();
  }
  const rows = (deviceId: string): number =>
    (
      writer.prepare('SELECT count(*) AS n FROM telemetry WHERE device_id = ?').get(deviceId) as {
        n: number;
      }
    ).n;
  const pragma = (name: string): number => writer.pragma(name, { simple: true }) as number;

  it('removes pushed rows in batches while a device keeps getting attribute answers', async () => {
    const chatty = await start({ batchRows: 1000, pauseMs: 5, intervalMs: 50 });
    // 30,000 points of three keys; the cloud has the first 24,000 of them (72,000 rows).
    addTelemetry(chatty, 30_000, () => {
      const pushed = writer
        .prepare(
          'SELECT sync_seq AS s FROM telemetry WHERE device_id = ? ORDER BY sync_seq LIMIT 1 OFFSET ?',
        )
        .get(chatty, 72_000 - 1) as { s: number };
      writer
        .prepare('INSERT INTO sync_telemetry_watermark (device_id, seq) VALUES (?, ?)')
        .run(chatty, pushed.s);
    });

    // Another device asks for its attributes in a loop meanwhile; every answer must come.
    const other = await fx.device('other', profileId);
    const device = await fx.connect(other.accessToken);
    await device.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
    const seenCounts: number[] = [];
    let answered = 0;
    const deadline = Date.now() + 60_000;
    for (let request = 1; rows(chatty) > 18_000 && Date.now() < deadline; request++) {
      const answer = nextMessage(
        device,
        (t) => t === `v1/devices/me/attributes/response/${request}`,
      );
      await device.publishAsync(`v1/devices/me/attributes/request/${request}`, '{}', { qos: 1 });
      await answer;
      answered += 1;
      seenCounts.push(rows(chatty));
    }
    // Unsent rows stay; pushed ones went, except each key's newest value.
    expect(rows(chatty)).toBe(18_000);
    // Spread over many batches with the device served between them, not one long delete.
    const distinct = new Set(seenCounts);
    expect(distinct.size).toBeGreaterThanOrEqual(10);
    expect(answered).toBeGreaterThanOrEqual(distinct.size);
    const pending = await fx.station.api['cloud.status']({});
    expect(pending.pending.telemetryPoints).toBe(18_000);

    // The freed pages take the next rows: the file does not grow for as many new rows again.
    writer.pragma('wal_checkpoint(TRUNCATE)');
    const pagesBefore = pragma('page_count');
    expect(pragma('freelist_count')).toBeGreaterThan(0);
    addTelemetry(chatty, 18_000);
    expect(pragma('page_count')).toBeLessThanOrEqual(Math.ceil(pagesBefore * 1.05));
  }, 120_000);

  it('removes unsent rows older than the configured age, keeping the newest value of each key', async () => {
    const chatty = await start({ maxAgeMs: 1500, markEveryMs: 100, pauseMs: 5, intervalMs: 50 });
    addTelemetry(chatty, 2000);
    const newest = ts;
    await waitFor(() => rows(chatty) === KEYS.length, { timeoutMs: 10_000 });
    const kept = writer
      .prepare('SELECT key, ts FROM telemetry WHERE device_id = ? ORDER BY key')
      .all(chatty) as { key: string; ts: number }[];
    expect(kept).toEqual([...KEYS].sort().map((key) => ({ key, ts: newest })));
    expect((await fx.station.api['cloud.status']({})).pending.telemetryPoints).toBe(KEYS.length);
    // Rows younger than the age stay.
    addTelemetry(chatty, 100);
    await new Promise((r) => setTimeout(r, 400));
    const younger = writer
      .prepare('SELECT count(*) AS n FROM telemetry WHERE device_id = ? AND ts > ?')
      .get(chatty, newest) as { n: number };
    expect(younger.n).toBe(100 * KEYS.length);
  }, 60_000);
});
