import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { UPDATE_STATES } from '../support/update-states';
import { waitFor } from '../support/wait';
import { deviceWithFirmware, type Scenario } from './device-api-helpers';

const SIZE = 40_000;

// `field-ota simulate --transport coap`: the seed's device over ThingsBoard's CoAP API against
// the real station (telemetry POSTs, an Observe on the attributes, one GET per chunk).
describe('simulated devices over CoAP', () => {
  let fx: StationFixture;
  let devices: Scenario[];
  let url: string;

  beforeEach(async () => {
    fx = await startStationFixture({ coapPort: 0 });
    const profileId = (await fx.profile('CIM-168')).id;
    const first = await deviceWithFirmware(fx, { size: SIZE, profileId, version: '1.0.1' });
    const other = await fx.device('CIM-168-02-22-91', profileId);
    await fx.station.api['assignments.assign']({ deviceId: other.id, packageId: first.packageId });
    const second = { ...first, deviceId: other.id, token: other.accessToken };
    devices = [first, second];
    url = `coap://127.0.0.1:${fx.station.coapAddress().port}`;
  });
  afterEach(async () => {
    await fx.close();
  });

  const simulate = (
    options: Parameters<typeof runSimulation>[0] extends infer O ? Partial<O> : never,
  ) =>
    runSimulation({
      transport: 'coap',
      url,
      tokens: devices.map((d) => d.token),
      packageTypes: ['FIRMWARE'],
      installed: { fwTitle: 'CIM-168', fwVersion: '1.0.0' },
      timeoutMs: 60_000,
      ...options,
    });

  const executions = () =>
    Promise.all(
      devices.map(
        async (d) =>
          (await fx.station.api['executions.list']({ deviceId: d.deviceId, limit: 1 }))[0],
      ),
    );

  it('updates every device, each block counted as served', async () => {
    const summary = await simulate({});
    expect(summary.devices.map((d) => d.state)).toEqual(['UPDATED', 'UPDATED']);
    expect(summary.devices.every((d) => d.bytes === SIZE)).toBe(true);
    const done = await waitFor(async () => {
      const list = await executions();
      return list.every((e) => e?.state === 'UPDATED') && list;
    });
    expect(done.map((e) => e?.bytesServed)).toEqual([SIZE, SIZE]);
    expect(done[0]?.history.map((h) => h.state)).toEqual(UPDATE_STATES);
  });

  it('fails verification on request, resumes after a drop, and stays silent when told', async () => {
    const failed = await simulate({ failVerify: true, tokens: [devices[0]!.token] });
    expect(failed.devices[0]).toMatchObject({ state: 'FAILED' });
    const dropped = await simulate({ dropAtChunk: 10, tokens: [devices[1]!.token] });
    expect(dropped.devices[0]).toMatchObject({ state: 'UPDATED', reconnects: 1, bytes: SIZE });
    const silent = await simulate({ silent: true });
    expect(silent.devices.map((d) => d.state)).toEqual(['CONNECTED', 'CONNECTED']);
  });

  it('refuses a chunk size over one datagram', async () => {
    await expect(simulate({ chunkSize: 4096 })).rejects.toThrow(/chunkSize/);
  });
});
