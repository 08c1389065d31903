import fs from 'node:fs';
import path from 'node:path';

import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';

import type { StationOptions } from '../../electron/core/station';
import {
  recordMessages,
  startStationFixture,
  type StationFixture,
} from '../support/station-fixture';
import { waitFor } from '../support/wait';
import {
  binary,
  deviceWithFirmware,
  protocolErrors,
  RawMqtt,
  requestChunk,
  type Scenario,
  VERSIONS,
} from './device-api-helpers';

const fw = (requestId: string, index: number) => ({
  requestTopic: `v2/fw/request/${requestId}/chunk/${index}`,
  responseTopic: `v2/fw/response/${requestId}/chunk/${index}`,
});

// docs/device-protocol.md#chunk-errors: errors on v2/fw/error as plain text; the station keeps the
// session open where ThingsBoard drops it.
describe.each(VERSIONS)('chunk errors over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  afterEach(async () => {
    await fx.close();
  });

  const setup = async (options: Partial<StationOptions> = {}, size = 20_000) => {
    fx = await startStationFixture(options);
    const sc = await deviceWithFirmware(fx, { size });
    const client = await fx.connect(sc.token, { protocolVersion: version });
    return { sc, client };
  };
  const expectError = async (
    client: MqttClient,
    requestTopic: string,
    size: string,
    code: string,
  ) => {
    const answer = await requestChunk(client, { requestTopic, responseTopic: '(none)' }, size);
    expect(answer.topic).toBe('v2/fw/error');
    expect(answer.payload.toString()).toBe(code);
  };
  const expectChunk = async (
    client: MqttClient,
    sc: Scenario,
    requestId: string,
    index: number,
    size: number,
  ) => {
    const answer = await requestChunk(client, fw(requestId, index), String(size));
    expect(answer.topic).toBe(`v2/fw/response/${requestId}/chunk/${index}`);
    expect(answer.payload).toEqual(sc.firmware.subarray(index * size, index * size + size));
  };

  it('NOT_FOUND when nothing is assigned (firmware and software), and the session stays', async () => {
    fx = await startStationFixture();
    const profile = await fx.profile();
    const device = await fx.device('bare', profile.id);
    const client = await fx.connect(device.accessToken, { protocolVersion: version });
    await expectError(client, 'v2/fw/request/1/chunk/0', '1024', 'NOT_FOUND');
    // ThingsBoard reports software errors on the firmware error topic too.
    await expectError(client, 'v2/sw/request/1/chunk/0', '1024', 'NOT_FOUND');
    const firmware = binary(3000);
    const pkg = await fx.packageFrom(firmware, { profileId: profile.id });
    await fx.station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });
    const answer = await requestChunk(client, fw('1', 0), '1024');
    expect(answer).toEqual({
      topic: 'v2/fw/response/1/chunk/0',
      payload: firmware.subarray(0, 1024),
    });
    const errors = await protocolErrors(fx);
    expect(errors.filter((e) => e.kind === 'nothing-assigned')).toHaveLength(2);
  });

  it('PAYLOAD_TOO_LARGE over the default cap of 512 KiB; the cap itself is served', async () => {
    const { sc, client } = await setup({}, 600_000);
    await expectError(client, 'v2/fw/request/1/chunk/0', '524289', 'PAYLOAD_TOO_LARGE');
    await expectError(client, 'v2/fw/request/1/chunk/0', '1000000000000', 'PAYLOAD_TOO_LARGE');
    await expectError(client, 'v2/fw/request/1/chunk/0', '9'.repeat(300), 'PAYLOAD_TOO_LARGE');
    await expectChunk(client, sc, '1', 0, 524_288);
    await expectChunk(client, sc, '1', 1, 524_288);
    expect(client.connected).toBe(true);
  });

  it('PAYLOAD_TOO_LARGE over a lowered cap; a whole-file request is not a size and is served', async () => {
    const { sc, client } = await setup({ maxChunkBytes: 4096 });
    await expectError(client, 'v2/fw/request/2/chunk/0', '4097', 'PAYLOAD_TOO_LARGE');
    await expectError(client, 'v2/fw/request/2/chunk/0', '"8192"', 'PAYLOAD_TOO_LARGE');
    // No size ever given: the whole 20 000-byte file in one message, as ThingsBoard sends it.
    const whole = await requestChunk(client, fw('3', 0), '');
    expect(whole).toEqual({ topic: 'v2/fw/response/3/chunk/0', payload: sc.firmware });
    await expectChunk(client, sc, '2', 0, 4096);
    await expectChunk(client, sc, '2', 4, 4096);
    const errors = await protocolErrors(fx);
    expect(errors.filter((e) => e.kind === 'chunk-too-large')).toHaveLength(2);
    expect(errors.find((e) => e.kind === 'chunk-too-large')?.deviceId).toBe(sc.deviceId);
  });

  it.each(['abc', '-1', '-8192', '1.5', '1e3', '{"size":1024}', '\u0000\u00ff'])(
    'FAILURE on the chunk size %j, and the session stays usable',
    async (size) => {
      const { sc, client } = await setup();
      await expectError(client, 'v2/fw/request/1/chunk/0', size, 'FAILURE');
      await expectChunk(client, sc, '1', 1, 1000);
      const errors = await protocolErrors(fx);
      expect(errors.filter((e) => e.kind === 'bad-chunk-size')).toHaveLength(1);
    },
  );

  describe('a corrupt cache', () => {
    const corrupt = async (sc: Scenario) => {
      const pkg = (await fx.station.api['packages.list']({})).find((p) => p.id === sc.packageId);
      const file = path.join(fx.dataDir, 'packages', 'blobs', pkg?.sha256 ?? '?');
      const bytes = fs.readFileSync(file);
      bytes[123] = (bytes[123] ?? 0) ^ 0xff; // same size, one byte flipped
      fs.writeFileSync(file, bytes);
    };
    const expectCorrupt = async (packageId: string) => {
      const pkg = (await fx.station.api['packages.list']({})).find((p) => p.id === packageId);
      expect(pkg).toMatchObject({
        status: 'CORRUPT',
        statusDetail: expect.stringContaining('no longer matches its SHA-256'),
      });
    };

    it('is never served: FAILURE, the package marked CORRUPT', async () => {
      const { sc, client } = await setup();
      const seen = recordMessages(client);
      await corrupt(sc);
      await expectError(client, 'v2/fw/request/1/chunk/0', '1000', 'FAILURE');
      await expectCorrupt(sc.packageId);
      await expectError(client, 'v2/fw/request/1/chunk/1', '1000', 'FAILURE');
      const other = await fx.connect(sc.token, { protocolVersion: version });
      await expectError(other, 'v2/fw/request/2/chunk/0', '1000', 'FAILURE');
      expect(seen.filter((m) => m.topic.startsWith('v2/fw/response/'))).toEqual([]);
      expect(client.connected).toBe(true);
    });

    it('is caught for a binary already being served when a new request opens it', async () => {
      const { sc, client } = await setup();
      await expectChunk(client, sc, '1', 0, 1000);
      await corrupt(sc);
      const other = await fx.connect(sc.token, { protocolVersion: version });
      await expectError(other, 'v2/fw/request/1/chunk/0', '1000', 'FAILURE');
      await expectCorrupt(sc.packageId);
    });

    it('answers every pipelined request with FAILURE, not just the first', async () => {
      fx = await startStationFixture();
      const sc = await deviceWithFirmware(fx, { size: 20_000 });
      await corrupt(sc);
      const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, sc.token);
      try {
        raw.publish('v2/fw/request/5/chunk/0', '1000', 1, 1);
        raw.publish('v2/fw/request/5/chunk/1', '1000', 1, 2);
        raw.publish('v2/fw/request/5/chunk/2', '1000', 0);
        await waitFor(() => raw.publishes('v2/fw/error').length >= 3);
        expect(raw.publishes('v2/fw/error').map((p) => p.payload.toString())).toEqual([
          'FAILURE',
          'FAILURE',
          'FAILURE',
        ]);
        expect(raw.publishes().filter((p) => p.topic !== 'v2/fw/error')).toEqual([]);
      } finally {
        raw.end();
      }
    });
  });
});

// MQTT 5 lets a client announce its Maximum Packet Size. A chunk bigger than that may not be
// sent (MQTT 5 §3.1.2.11.4), so the device hears PAYLOAD_TOO_LARGE instead of waiting forever.
describe('an MQTT 5 client with a small Maximum Packet Size', () => {
  let fx: StationFixture;
  afterEach(async () => {
    await fx.close();
  });

  it('gets PAYLOAD_TOO_LARGE for a chunk it could not receive', async () => {
    fx = await startStationFixture();
    const sc = await deviceWithFirmware(fx, { size: 20_000 });
    const client = await fx.connect(sc.token, {
      protocolVersion: 5,
      properties: { maximumPacketSize: 1000 },
    });
    const answer = await requestChunk(client, fw('1', 0), '4096', 2000);
    expect(answer).toEqual({ topic: 'v2/fw/error', payload: Buffer.from('PAYLOAD_TOO_LARGE') });
  });
});
