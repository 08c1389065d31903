import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Execution } from '../../shared/api/entities';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { binary, pubackCode, telemetryHistory, VERSIONS } from './device-api-helpers';

// docs/device-protocol.md#telemetry: the four forms, and the OTA keys that move a delivery.
describe.each(VERSIONS)('telemetry over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  let profileId: string;
  let deviceId: string;
  let client: MqttClient;

  beforeEach(async () => {
    fx = await startStationFixture();
    profileId = (await fx.profile('CIM-168')).id;
    const device = await fx.device('CIM-168-02-22-90', profileId);
    deviceId = device.id;
    client = await fx.connect(device.accessToken, { protocolVersion: version });
  });
  afterEach(async () => {
    await fx.close();
  });

  const send = async (payload: string) => {
    expect(await pubackCode(client, 'v1/devices/me/telemetry', payload)).toBe(0);
  };
  const latest = async () =>
    Object.fromEntries(
      (await fx.station.api['devices.get']({ id: deviceId })).latestTelemetry.map((t) => [
        t.key,
        { ts: t.ts, value: t.value },
      ]),
    );

  it('stores all four forms, with and without spaces, with their timestamps', async () => {
    const before = Date.now();
    await send('{"flat":"v","n":1.5}');
    await send(' { "flatSpaced" : "v" , "b" : true } ');
    await send('[{"arr1":"v"},{"arr2":1}]');
    await send('[ { "arrSpaced" : null } ]');
    await send('{"ts":1451649600512,"values":{"tsForm":"v","nested":{"x":[1,2]}}}');
    await send('{ "ts" : 1451649600600 , "values" : { "tsSpaced" : 7 } }');
    await send(
      '[{"ts":1451649600700,"values":{"series":1}},{"ts":1451649600800,"values":{"series":2}}]',
    );
    const after = Date.now();
    const stored = await latest();
    for (const key of ['flat', 'n', 'flatSpaced', 'b', 'arr1', 'arr2', 'arrSpaced']) {
      expect(stored[key]?.ts, key).toBeGreaterThanOrEqual(before);
      expect(stored[key]?.ts, key).toBeLessThanOrEqual(after);
    }
    expect(stored).toMatchObject({
      flat: { value: 'v' },
      n: { value: 1.5 },
      flatSpaced: { value: 'v' },
      b: { value: true },
      arr1: { value: 'v' },
      arr2: { value: 1 },
      arrSpaced: { value: null },
      tsForm: { ts: 1451649600512, value: 'v' },
      nested: { ts: 1451649600512, value: { x: [1, 2] } },
      tsSpaced: { ts: 1451649600600, value: 7 },
      series: { ts: 1451649600800, value: 2 },
    });
    expect(telemetryHistory(fx, deviceId, 'series')).toEqual([
      { ts: 1451649600700, value: 1 },
      { ts: 1451649600800, value: 2 },
    ]);
  });

  it('current_fw_* and current_sw_* update the device', async () => {
    await send('{"current_fw_title":"CIM-168","current_fw_version":"1.0.0"}');
    await send('{"current_sw_title":"app","current_sw_version":"2.3"}');
    const device = await fx.station.api['devices.get']({ id: deviceId });
    expect(device.firmware).toMatchObject({ currentTitle: 'CIM-168', currentVersion: '1.0.0' });
    expect(device.software).toMatchObject({ currentTitle: 'app', currentVersion: '2.3' });
  });

  describe('with firmware and software assigned', () => {
    let fw: Execution;
    let sw: Execution;
    const execution = async (id: string) => {
      const list = await fx.station.api['executions.list']({ deviceId, limit: 10 });
      const found = list.find((e) => e.id === id);
      if (!found) throw new Error(`execution ${id} not listed`);
      return found;
    };

    beforeEach(async () => {
      const fwPkg = await fx.packageFrom(binary(1000), { profileId, version: '1.0.1' });
      const swPkg = await fx.packageFrom(binary(1000, 7), {
        profileId,
        title: 'app',
        version: '2.4',
        type: 'SOFTWARE',
      });
      fw = await fx.station.api['assignments.assign']({ deviceId, packageId: fwPkg.id });
      sw = await fx.station.api['assignments.assign']({ deviceId, packageId: swPkg.id });
      expect([fw.state, sw.state]).toEqual(['INITIATED', 'INITIATED']);
    });

    it('fw_state and sw_state move their own execution, at the device time', async () => {
      await send('{"ts":1700000000001,"values":{"fw_state":"DOWNLOADING"}}');
      await send('{"sw_state":"DOWNLOADING"}');
      await send(
        '[{"ts":1700000000002,"values":{"fw_state":"DOWNLOADED"}},{"ts":1700000000003,"values":{"fw_state":"VERIFIED"}}]',
      );
      const fwNow = await execution(fw.id);
      expect(fwNow.state).toBe('VERIFIED');
      expect(fwNow.history.slice(2)).toEqual([
        { state: 'DOWNLOADING', at: 1700000000001, detail: null },
        { state: 'DOWNLOADED', at: 1700000000002, detail: null },
        { state: 'VERIFIED', at: 1700000000003, detail: null },
      ]);
      expect((await execution(sw.id)).state).toBe('DOWNLOADING');
      const device = await fx.station.api['devices.get']({ id: deviceId });
      expect(device.firmware.state).toBe('VERIFIED');
      expect(device.software.state).toBe('DOWNLOADING');
    });

    it('UPDATED with the target version completes the execution', async () => {
      await send(
        '{"current_fw_title":"CIM-168","current_fw_version":"1.0.1","fw_state":"UPDATED"}',
      );
      const done = await execution(fw.id);
      expect(done).toMatchObject({ state: 'UPDATED', error: null });
      expect(done.finishedAt).not.toBeNull();
    });

    it('UPDATED while running another version fails the execution with a clear error', async () => {
      await send(
        '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0","fw_state":"UPDATED"}',
      );
      await send('{"current_sw_version":"2.3","sw_state":"UPDATED"}');
      expect(await execution(fw.id)).toMatchObject({
        state: 'FAILED',
        error: 'The device reported UPDATED but runs CIM-168 1.0.0, not CIM-168 1.0.1',
      });
      expect(await execution(sw.id)).toMatchObject({
        state: 'FAILED',
        error: 'The device reported UPDATED but runs (no title) 2.3, not app 2.4',
      });
    });

    it('FAILED carries fw_error / sw_error', async () => {
      await send('{"fw_state":"FAILED","fw_error":"Checksum verification failed"}');
      await send('{"sw_state":"FAILED"}');
      expect(await execution(fw.id)).toMatchObject({
        state: 'FAILED',
        error: 'Checksum verification failed',
      });
      expect(await execution(sw.id)).toMatchObject({
        state: 'FAILED',
        error: 'The device reported FAILED without fw_error',
      });
    });

    it('fw_state is stored as telemetry too, at the device time', async () => {
      const ts = Date.now() + 1000; // after the station's own INITIATED entry
      await send(`{"ts":${ts},"values":{"fw_state":"DOWNLOADING"}}`);
      expect((await latest()).fw_state).toEqual({ ts, value: 'DOWNLOADING' });
    });
  });
});
