import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import type { JobDetail } from '../../shared/api/entities';
import { parseArgs } from '../../shared/api/validate';
import { httpDeviceBase } from '../support/curl';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary } from './device-api-helpers';

// One device, any transport: an attempt over MQTT fails, the retry over HTTP succeeds, in the
// same job, with the progress, the states and the device's last transport all following.
describe('a device switching transport between attempts', () => {
  const SIZE = 150_000;
  let fx: StationFixture;

  beforeEach(async () => {
    fx = await startStationFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  it('fails over MQTT, then updates over HTTP in the same job', async () => {
    const profileId = (await fx.profile('CIM-168')).id;
    const device = await fx.device('CIM-168-02-22-90', profileId);
    const pkg = await fx.packageFrom(binary(SIZE), { profileId, version: '1.0.1' });
    const job = await fx.station.api['jobs.create'](
      parseArgs('jobs.create', {
        packageId: pkg.id,
        deviceIds: [device.id],
        policy: { concurrency: 1, retries: 1, retryDelaySec: 1 },
      }),
    );
    const common = {
      tokens: [device.accessToken],
      packageTypes: ['FIRMWARE'] as const,
      chunkSize: 16 * 1024,
      timeoutMs: 20_000,
    };

    const overMqtt = await runSimulation({ ...common, url: fx.mqttUrl, failVerify: true });
    expect(overMqtt.devices[0]?.state).toBe('FAILED');
    expect((await fx.station.api['devices.get']({ id: device.id })).lastTransport).toBe('mqtt');
    const get = (): Promise<JobDetail> => fx.station.api['jobs.get']({ id: job.id });
    // The retry is under way: the second attempt has begun.
    await waitFor(async () => (await get()).executions[0]?.attempts === 2, { timeoutMs: 10_000 });

    const overHttp = await runSimulation({
      ...common,
      transport: 'http',
      url: httpDeviceBase(fx.station),
    });
    expect(overHttp.devices[0]?.state).toBe('UPDATED');

    const done = await waitFor(
      async () => {
        const j = await get();
        return j.status === 'COMPLETED' && j;
      },
      { timeoutMs: 10_000 },
    );
    const [execution] = done.executions;
    expect(execution).toMatchObject({ state: 'UPDATED', attempts: 2, bytesServed: SIZE });
    expect(execution?.attemptLog[0]).toMatchObject({ outcome: 'FAILED', reportedBy: 'DEVICE' });
    expect(execution?.attemptLog[1]).toMatchObject({ outcome: 'UPDATED', bytesServed: SIZE });
    const after = await fx.station.api['devices.get']({ id: device.id });
    expect(after.lastTransport).toBe('http');
    expect(after.firmware.currentVersion).toBe('1.0.1');

    const csv = await fx.station.api['jobs.report']({ id: job.id, format: 'csv' });
    const [header, row] = csv.body.trim().split(/\r?\n/);
    // The last column: earlier cells hold the first attempt's error, commas and all.
    expect(header?.endsWith(',transport')).toBe(true);
    expect(row?.endsWith(',http')).toBe(true);
    const json = await fx.station.api['jobs.report']({ id: job.id, format: 'json' });
    expect(
      (JSON.parse(json.body) as { devices: { transport: string }[] }).devices[0],
    ).toMatchObject({
      transport: 'http',
    });
  });
});
