import crypto from 'node:crypto';

import type { MqttClient } from 'mqtt';
import { beforeEach, describe, expect, it } from 'vitest';

import { closedAfterEach } from '../support/closed-after-each';
import { type JobSite, startJobSite } from '../support/job-site';
import { recordMessages, type StationFixture } from '../support/station-fixture';
import { delay } from '../support/wait';
import { readDatabase } from './device-api-helpers';

const FIRMWARE = crypto.randomBytes(40_000);

/**
 * Jobs must end when their devices are done, however the station learned it: a lost UPDATED,
 * a device taken by a newer job, a device that retried on its own.
 */
describe('jobs that end when their devices are done', () => {
  const openSite = closedAfterEach(startJobSite);
  let fx: StationFixture;
  let profileId: string;
  let createJob: JobSite['createJob'];
  let job: JobSite['job'];
  let until: JobSite['until'];

  beforeEach(async () => {
    ({ fx, profileId, createJob, job, until } = await openSite(FIRMWARE));
  });
  const telemetry = (client: MqttClient, values: Record<string, unknown>) =>
    client.publishAsync('v1/devices/me/telemetry', JSON.stringify(values), { qos: 1 });
  const jobStatusInDb = (id: string): string => {
    const db = readDatabase(fx);
    try {
      return (db.prepare('SELECT status FROM jobs WHERE id = ?').get(id) as { status: string })
        .status;
    } finally {
      db.close();
    }
  };
  const pushesOfFirmware = (seen: { topic: string; payload: Buffer }[]) =>
    seen.filter(
      (m) => m.topic === 'v1/devices/me/attributes' && m.payload.toString().includes('fw_title'),
    );

  for (const via of ['telemetry', 'attributes'] as const) {
    it(`completes a device whose UPDATED was lost once it reports the target as current (${via})`, async () => {
      const device = await fx.device('lost-updated', profileId, 'lost-updated-token');
      const created = await createJob({
        deviceIds: [device.id],
        policy: { concurrency: 1, retries: 1, timeoutSec: 2, retryDelaySec: 1 },
      });
      // The device downloads, installs, reboots; its UPDATED never reaches the station.
      const before = await fx.connect(device.accessToken);
      for (const state of ['DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'UPDATING'])
        await telemetry(before, {
          current_fw_title: 'CIM-168',
          current_fw_version: '1.0.0',
          fw_state: state,
        });
      await before.endAsync(true);

      const after = await fx.connect(device.accessToken);
      const seen = recordMessages(after);
      await after.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
      const current = { current_fw_title: 'CIM-168', current_fw_version: '1.0.1' };
      if (via === 'telemetry') await telemetry(after, current);
      else
        await after.publishAsync('v1/devices/me/attributes', JSON.stringify(current), { qos: 1 });

      const done = await until(created.id, (j) => j.status === 'COMPLETED', 5000);
      const [execution] = done.executions;
      expect(execution).toMatchObject({ state: 'UPDATED', attempts: 1, error: null });
      expect(execution?.history.at(-1)?.detail).toBe(
        `The device reports CIM-168 1.0.1 as current (${via}); its UPDATED was not received`,
      );
      expect(done.counts).toMatchObject({ total: 1, updated: 1, failed: 0, active: 0 });
      // Past the time-out and the retry delay: nothing is sent again.
      await delay(3500);
      expect(pushesOfFirmware(seen)).toEqual([]);
      expect((await job(created.id)).executions[0]).toMatchObject({
        state: 'UPDATED',
        attempts: 1,
      });
    });
  }

  it('completes a job at once when its last open execution is replaced by a newer job', async () => {
    const device = await fx.device('replaced', profileId, 'replaced-token');
    const older = await createJob({ deviceIds: [device.id], policy: { concurrency: 1 } });
    expect((await job(older.id)).status).toBe('RUNNING');
    const newer = await fx.packageFrom(crypto.randomBytes(30_000), {
      profileId,
      version: '1.0.3',
    });
    await createJob({ deviceIds: [device.id], policy: { concurrency: 1 } }, newer.id);

    const done = await until(older.id, (j) => j.status === 'COMPLETED', 3000);
    expect(done.executions[0]).toMatchObject({ state: 'CANCELED' });
    expect(done.executions[0]?.history.at(-1)?.detail).toBe('Replaced by CIM-168 1.0.3');
    expect(done.counts).toMatchObject({ total: 1, canceled: 1, queued: 0, active: 0 });
    expect(jobStatusInDb(older.id)).toBe('COMPLETED');
  });

  it('re-opens a job for a device that retries on its own, times it out, counts it once', async () => {
    const device = await fx.device('self-retry', profileId, 'self-retry-token');
    const created = await createJob({
      deviceIds: [device.id],
      policy: { concurrency: 1, retries: 0, timeoutSec: 2 },
    });
    const client = await fx.connect(device.accessToken);
    const base = { current_fw_title: 'CIM-168', current_fw_version: '1.0.0' };
    await telemetry(client, { ...base, fw_state: 'DOWNLOADING' });
    await telemetry(client, { ...base, fw_state: 'FAILED', fw_error: 'Checksum mismatch' });
    const failed = await until(created.id, (j) => j.status === 'COMPLETED', 3000);
    expect(failed.counts).toMatchObject({ total: 1, failed: 1, active: 0 });

    // The device downloads again by itself (as ThingsBoard's docs script does), then goes silent.
    await telemetry(client, { ...base, fw_state: 'DOWNLOADING' });
    const reopened = await until(created.id, (j) => j.status === 'RUNNING', 3000);
    // In flight again after a failure: "failed, retrying", never failed for good.
    expect(reopened.counts).toMatchObject({
      total: 1,
      retrying: 1,
      active: 0,
      failed: 0,
      updated: 0,
    });
    expect(reopened.finishedAt).toBeNull();
    expect(jobStatusInDb(created.id)).toBe('RUNNING');

    const ended = await until(created.id, (j) => j.status === 'COMPLETED', 8000);
    expect(ended.executions[0]).toMatchObject({ state: 'TIMED_OUT' });
    expect(ended.counts).toMatchObject({ total: 1, failed: 1, retrying: 0, active: 0, updated: 0 });
    const csv = await fx.station.api['jobs.report']({ id: created.id, format: 'csv' });
    const rows = csv.body.trimEnd().split('\r\n').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.split(',')[0]).toBe('self-retry');
    expect(rows[0]?.split(',')[6]).toBe('TIMED_OUT');
    expect(jobStatusInDb(created.id)).toBe('COMPLETED');
  });
});
