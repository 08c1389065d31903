import type { MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startStationFixture, type StationFixture } from '../support/station-fixture';
import {
  binary,
  deviceWithFirmware,
  payloadOf,
  RawMqtt,
  requestChunk,
  type Scenario,
  VERSIONS,
} from './device-api-helpers';

const SIZE = 20_000;

// docs/device-protocol.md#chunk-requests.
describe.each(VERSIONS)('chunk download over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  let sc: Scenario;
  let client: MqttClient;

  beforeEach(async () => {
    fx = await startStationFixture();
    sc = await deviceWithFirmware(fx, { size: SIZE });
    client = await fx.connect(sc.token, { protocolVersion: version });
  });
  afterEach(async () => {
    await fx.close();
  });

  const fw = (requestId: string, index: number | string) => ({
    requestTopic: `v2/fw/request/${requestId}/chunk/${index}`,
    responseTopic: `v2/fw/response/${requestId}/chunk/${Number(index)}`,
  });
  const chunk = async (
    request: { requestTopic: string; responseTopic: string },
    size: string,
    on = client,
  ) => {
    const answer = await requestChunk(on, request, size);
    expect(answer.topic).toBe(request.responseTopic);
    return answer.payload;
  };

  it('serves both request topic forms, answering on v2/fw/response/...', async () => {
    expect(await chunk(fw('5', 0), '3000')).toEqual(sc.firmware.subarray(0, 3000));
    const seedForm = {
      requestTopic: 'v2/fw/chunk/request/5/chunk/1',
      responseTopic: 'v2/fw/response/5/chunk/1',
    };
    expect(await chunk(seedForm, '3000')).toEqual(sc.firmware.subarray(3000, 6000));
  });

  it('serves software on v2/sw/..., in both forms', async () => {
    const software = binary(5000, 9);
    const pkg = await fx.packageFrom(software, {
      profileId: sc.profileId,
      title: 'app',
      version: '2.4',
      type: 'SOFTWARE',
    });
    await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: pkg.id });
    const first = {
      requestTopic: 'v2/sw/request/3/chunk/0',
      responseTopic: 'v2/sw/response/3/chunk/0',
    };
    const second = {
      requestTopic: 'v2/sw/chunk/request/3/chunk/1',
      responseTopic: 'v2/sw/response/3/chunk/1',
    };
    expect(await chunk(first, '4096')).toEqual(software.subarray(0, 4096));
    expect(await chunk(second, '4096')).toEqual(software.subarray(4096));
    // The firmware is still there under its own topics.
    expect(await chunk(fw('3', 0), '10')).toEqual(sc.firmware.subarray(0, 10));
  });

  it('reads the size as decimal or JSON-quoted text; empty reuses the last size', async () => {
    expect(await chunk(fw('1', 0), '1000')).toEqual(sc.firmware.subarray(0, 1000));
    expect(await chunk(fw('1', 1), '"1024"')).toEqual(sc.firmware.subarray(1024, 2048));
    expect(await chunk(fw('1', 2), '')).toEqual(sc.firmware.subarray(2048, 3072));
    expect(await chunk(fw('1', 3), '0')).toEqual(sc.firmware.subarray(3072, 4096));
  });

  it('empty with no earlier size for the requestId sends the whole file', async () => {
    expect(await chunk(fw('2', 0), '1000')).toHaveLength(1000);
    expect(await chunk(fw('77', 0), '')).toEqual(sc.firmware);
    expect(await chunk(fw('77', 1), '')).toHaveLength(0);
  });

  it('the last chunk is short, any index past the end is 0 bytes', async () => {
    const last = Math.floor(SIZE / 3000); // 6: bytes 18000..20000
    expect(await chunk(fw('4', last), '3000')).toEqual(sc.firmware.subarray(18_000));
    for (const index of [last + 1, last + 2, 1_000_000, 2 ** 40]) {
      expect(await chunk(fw('4', index), '3000'), `index ${index}`).toHaveLength(0);
    }
    // Exactly at a multiple of the size: the next index is the end of file.
    expect(await chunk(fw('8', 3), '5000')).toEqual(sc.firmware.subarray(15_000));
    expect(await chunk(fw('8', 4), '5000')).toHaveLength(0);
  });

  it('echoes the requestId verbatim and the chunk index as a plain integer', async () => {
    expect(await chunk(fw('01', 0), '100')).toEqual(sc.firmware.subarray(0, 100));
    const padded = {
      requestTopic: 'v2/fw/request/01/chunk/007',
      responseTopic: 'v2/fw/response/01/chunk/7',
    };
    expect(await chunk(padded, '100')).toEqual(sc.firmware.subarray(700, 800));
    const word = {
      requestTopic: 'v2/fw/request/abc/chunk/1',
      responseTopic: 'v2/fw/response/abc/chunk/1',
    };
    expect(await chunk(word, '100')).toEqual(sc.firmware.subarray(100, 200));
  });

  it('serves chunks in any order and again', async () => {
    for (const index of [3, 0, 3, 1, 6, 0, 2, 5, 4]) {
      expect(await chunk(fw('6', index), '3000'), `chunk ${index}`).toEqual(
        sc.firmware.subarray(index * 3000, index * 3000 + 3000),
      );
    }
  });

  it('pins a requestId to its package for the connection; new connections get the new one', async () => {
    expect(await chunk(fw('9', 0), '1000')).toEqual(sc.firmware.subarray(0, 1000));
    const next = binary(SIZE, 100);
    const pkg = await fx.packageFrom(next, { profileId: sc.profileId, version: '9.9.9' });
    await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: pkg.id });
    // Mid-download: the same requestId keeps serving the first package on this connection.
    expect(await chunk(fw('9', 1), '1000')).toEqual(sc.firmware.subarray(1000, 2000));
    // A new requestId on this connection resolves to what is assigned now.
    expect(await chunk(fw('10', 1), '1000')).toEqual(next.subarray(1000, 2000));
    const other = await fx.connect(sc.token, { protocolVersion: version });
    expect(await chunk(fw('9', 1), '1000', other)).toEqual(next.subarray(1000, 2000));
    expect(await chunk(fw('9', 2), '1000')).toEqual(sc.firmware.subarray(2000, 3000));
  });

  it('a device subscribed to nothing gets its chunks at QoS 0', async () => {
    const qos: number[] = [];
    client.on('message', (_t, _p, packet) => qos.push(packet.qos));
    expect(await chunk(fw('11', 0), '2000')).toEqual(sc.firmware.subarray(0, 2000));
    expect(qos).toEqual([0]);
  });

  it('a device subscribed to v2/fw/response/+ (refused, matches nothing) still gets its chunks', async () => {
    const granted = new Promise<number[]>((resolve) =>
      client.once('packetreceive', (packet: Packet) => {
        if (packet.cmd === 'suback') resolve(packet.granted as number[]);
      }),
    );
    await client.subscribeAsync('v2/fw/response/+', { qos: 1 }).catch(() => undefined);
    expect(await granted).toEqual([version === 5 ? 0x8f : 0x80]);
    const qos: number[] = [];
    client.on('message', (_t, _p, packet) => qos.push(packet.qos));
    expect(await chunk(fw('12', 1), '2000')).toEqual(sc.firmware.subarray(2000, 4000));
    expect(qos).toEqual([0]);
  });

  it('a device subscribed to v2/fw/response/+/chunk/+ at QoS 1 gets its chunks at QoS 1', async () => {
    await client.subscribeAsync('v2/fw/response/+/chunk/+', { qos: 1 });
    const qos: number[] = [];
    client.on('message', (_t, _p, packet) => qos.push(packet.qos));
    expect(await chunk(fw('13', 0), '2000')).toEqual(sc.firmware.subarray(0, 2000));
    expect(qos).toEqual([1]);
  });

  it('sends the PUBACK of a request before its chunk, first and later requests alike', async () => {
    const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, sc.token);
    try {
      const isResponse = (index: number) => (p: Packet) =>
        p.cmd === 'publish' && p.topic === `v2/fw/response/14/chunk/${index}`;
      const isPuback = (id: number) => (p: Packet) => p.cmd === 'puback' && p.messageId === id;
      for (const [index, messageId] of [
        [0, 101],
        [1, 102],
        [2, 103],
      ] as const) {
        raw.publish(`v2/fw/request/14/chunk/${index}`, '4000', 1, messageId);
        const response = await raw.waitFor(isResponse(index));
        const ack = await raw.waitFor(isPuback(messageId));
        expect(raw.packets.indexOf(ack)).toBeLessThan(raw.packets.indexOf(response));
        expect(payloadOf(response)).toEqual(
          sc.firmware.subarray(index * 4000, index * 4000 + 4000),
        );
        if (version === 5) expect(ack).toMatchObject({ reasonCode: 0 });
      }
    } finally {
      raw.end();
    }
  });
});
