import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SUBSCRIBABLE_FILTERS } from '../../shared/protocol/topics';
import {
  nextMessage,
  recordMessages,
  startStationFixture,
  type StationFixture,
} from '../support/station-fixture';
import { waitFor } from '../support/wait';
import {
  binary,
  deviceWithFirmware,
  download,
  protocolErrors,
  RawMqtt,
  requestChunk,
  type Scenario,
  VERSIONS,
} from './device-api-helpers';

// docs/device-protocol.md#responses-go-to-the-session: answers go to the asking session, never through topic routing.
describe.each(VERSIONS)('isolation over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  let a: Scenario;
  let b: Scenario;
  let a1: MqttClient;
  let a2: MqttClient;
  let b1: MqttClient;
  let seen: Map<MqttClient, { topic: string; payload: Buffer }[]>;

  beforeEach(async () => {
    fx = await startStationFixture();
    a = await deviceWithFirmware(fx, { name: 'A', size: 10_000, version: '1.0.A', seed: 1 });
    b = await deviceWithFirmware(fx, {
      name: 'B',
      size: 10_000,
      version: '1.0.B',
      seed: 2,
      profileId: a.profileId,
    });
    // The same client id on two devices: no takeover, each session stays its own.
    a1 = await fx.connect(a.token, { protocolVersion: version, clientId: 'same-client-id' });
    a2 = await fx.connect(a.token, { protocolVersion: version });
    b1 = await fx.connect(b.token, { protocolVersion: version, clientId: 'same-client-id' });
    seen = new Map();
    for (const client of [a1, a2, b1]) {
      // Every filter the station offers: anything routed by topic would reach everyone.
      await client.subscribeAsync([...SUBSCRIBABLE_FILTERS], { qos: 1 });
      seen.set(client, recordMessages(client));
    }
  });
  afterEach(async () => {
    await fx.close();
  });

  const topics = (client: MqttClient) => (seen.get(client) ?? []).map((m) => m.topic);
  /** A round trip on each session: whatever was sent to it before has arrived after this. */
  const settle = async () => {
    for (const [i, client] of [a1, a2, b1].entries()) {
      const id = String(9000 + i);
      const answer = nextMessage(client, (t) => t === `v1/devices/me/attributes/response/${id}`);
      await client.publishAsync(`v1/devices/me/attributes/request/${id}`, '{"clientKeys":"none"}', {
        qos: 1,
      });
      await answer;
      seen.get(client)?.pop();
    }
  };

  it('attribute responses, chunks, errors and RPC answers reach only the requesting session', async () => {
    const ask = async (client: MqttClient, topic: string, payload: string, answerTopic: string) => {
      const answer = nextMessage(client, (t) => t === answerTopic);
      await client.publishAsync(topic, payload, { qos: 1 });
      return (await answer).payload;
    };
    // The same request ids on every session.
    expect(
      (
        await ask(
          a1,
          'v1/devices/me/attributes/request/1',
          '{"sharedKeys":"fw_version"}',
          'v1/devices/me/attributes/response/1',
        )
      ).toString(),
    ).toBe('{"shared":{"fw_version":"1.0.A"}}');
    expect(
      (
        await ask(
          b1,
          'v1/devices/me/attributes/request/1',
          '{"sharedKeys":"fw_version"}',
          'v1/devices/me/attributes/response/1',
        )
      ).toString(),
    ).toBe('{"shared":{"fw_version":"1.0.B"}}');
    expect(await ask(a2, 'v2/fw/request/1/chunk/0', '1000', 'v2/fw/response/1/chunk/0')).toEqual(
      a.firmware.subarray(0, 1000),
    );
    expect(await ask(b1, 'v2/fw/request/1/chunk/0', '1000', 'v2/fw/response/1/chunk/0')).toEqual(
      b.firmware.subarray(0, 1000),
    );
    expect((await ask(a1, 'v2/fw/request/2/chunk/0', 'garbage', 'v2/fw/error')).toString()).toBe(
      'FAILURE',
    );
    expect(
      (
        await ask(
          a2,
          'v1/devices/me/rpc/request/1',
          '{"method":"getSessionLimits"}',
          'v1/devices/me/rpc/response/1',
        )
      ).toString(),
    ).toContain('maxPayloadSize');
    await settle();
    expect(topics(a1)).toEqual(['v1/devices/me/attributes/response/1', 'v2/fw/error']);
    expect(topics(a2)).toEqual(['v2/fw/response/1/chunk/0', 'v1/devices/me/rpc/response/1']);
    expect(topics(b1)).toEqual(['v1/devices/me/attributes/response/1', 'v2/fw/response/1/chunk/0']);
  });

  it('assignment pushes reach every subscribed session of that device and no other device', async () => {
    const next = await fx.packageFrom(binary(500, 5), { profileId: a.profileId, version: '2.0.A' });
    await fx.station.api['assignments.assign']({ deviceId: a.deviceId, packageId: next.id });
    await fx.station.api['assignments.unassign']({ deviceId: a.deviceId, type: 'FIRMWARE' });
    await waitFor(() => topics(a1).length >= 3 && topics(a2).length >= 3);
    await settle();
    const pushes = [
      'v1/devices/me/attributes',
      'v1/devices/me/attributes',
      'v1/devices/me/attributes',
    ];
    expect(topics(a1)).toEqual(pushes);
    expect(topics(a2)).toEqual(pushes);
    expect(topics(b1)).toEqual([]);
    expect(seen.get(a1)?.[1]?.payload.toString()).toContain('"fw_version":"2.0.A"');
  });

  it("a device cannot subscribe to another device's topics", async () => {
    const refused = version === 5 ? 0x8f : 0x80;
    const filters = [
      `v1/devices/${a.deviceId}/attributes`,
      'v1/devices/+/attributes',
      '#',
      '+/+/+/+',
      'v1/devices/me/attributes/#',
      '$SYS/#',
    ];
    const granted = new Promise<number[]>((resolve) =>
      b1.on('packetreceive', (packet) => {
        if (packet.cmd === 'suback') resolve(packet.granted as number[]);
      }),
    );
    await b1.subscribeAsync(filters, { qos: 1 }).catch(() => undefined);
    expect(await granted).toEqual(filters.map(() => refused));
    const next = await fx.packageFrom(binary(500, 6), { profileId: a.profileId, version: '3.0.A' });
    await fx.station.api['assignments.assign']({ deviceId: a.deviceId, packageId: next.id });
    await waitFor(() => topics(a1).length >= 2);
    await settle();
    expect(topics(b1)).toEqual([]);
  });
});

// docs/device-protocol.md#limits: a device that stops reading must not hold up the others.
describe('a slow reader', () => {
  let fx: StationFixture;
  beforeEach(async () => {
    fx = await startStationFixture();
  });
  afterEach(async () => {
    await fx.close();
  });

  const stalledReader = async (requests: number) => {
    const slow = await deviceWithFirmware(fx, { name: 'slow', size: 4 * 1024 * 1024 });
    const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, 4, slow.token);
    raw.socket.pause(); // never reads again: the kernel buffers fill, then the station's queue
    for (let i = 0; i < requests; i++) raw.publish(`v2/fw/request/1/chunk/${i % 8}`, '524288', 0);
    return { raw, slow };
  };

  it("does not stall another device's download", async () => {
    const { raw, slow } = await stalledReader(40); // 20 MiB asked for, under the 32 MiB queue cap
    // All eight distinct chunks handed to the socket: the full size counts as served.
    await waitFor(
      async () => {
        const [execution] = await fx.station.api['executions.list']({
          deviceId: slow.deviceId,
          limit: 1,
        });
        return execution?.bytesServed === 4 * 1024 * 1024;
      },
      { timeoutMs: 10_000 },
    );
    const fast = await deviceWithFirmware(fx, { name: 'fast', size: 1024 * 1024, seed: 3 });
    const client = await fx.connect(fast.token);
    const image = await download(client, { requestId: '1', chunkSize: 65_536 });
    expect(image.equals(fast.firmware)).toBe(true);
    // The slow session was still open (and stuck) the whole time: nothing was dropped to pass.
    expect(raw.isClosed).toBe(false);
    expect((await fx.station.api['station.status']({})).sessions).toBe(2);
    raw.end();
  });

  it('is cut off when its queue passes the cap, and the others carry on', async () => {
    const { raw } = await stalledReader(100); // 50 MiB asked for
    // The client never reads, so it cannot see the close itself; the station's side shows it.
    await waitFor(async () => (await protocolErrors(fx)).some((e) => e.kind === 'queue-overflow'));
    await waitFor(async () => (await fx.station.api['station.status']({})).sessions === 0);
    raw.end();
    const fast = await deviceWithFirmware(fx, { name: 'fast', size: 300_000, seed: 4 });
    const client = await fx.connect(fast.token);
    const answer = await requestChunk(
      client,
      { requestTopic: 'v2/fw/request/1/chunk/2', responseTopic: 'v2/fw/response/1/chunk/2' },
      '100000',
    );
    expect(answer.payload).toEqual(fast.firmware.subarray(200_000, 300_000));
  });
});
