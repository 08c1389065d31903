import crypto from 'node:crypto';
import { Readable } from 'node:stream';

import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { PackageMeta } from '../../shared/api/operations';
import {
  recordMessages,
  startStationFixture,
  type StationFixture,
} from '../support/station-fixture';
import { waitFor } from '../support/wait';
import {
  deviceWithFirmware,
  download,
  protocolErrors,
  pubackCode,
  RawMqtt,
  type Scenario,
  VERSIONS,
} from './device-api-helpers';

// docs/architecture.md#security-model: bad input gets a clear error and never a crash. After each case a
// second device must still complete a whole chunk download from the same station.
describe.each(VERSIONS)('bad input over MQTT protocol version %i', (version) => {
  let fx: StationFixture;
  let bad: Scenario;
  let witness: Scenario;
  let client: MqttClient;
  let witnessClient: MqttClient;
  let downloads = 0;

  beforeEach(async () => {
    fx = await startStationFixture();
    bad = await deviceWithFirmware(fx, { name: 'bad', size: 5000 });
    witness = await deviceWithFirmware(fx, { name: 'witness', size: 30_000, seed: 8 });
    client = await fx.connect(bad.token, { protocolVersion: version });
    witnessClient = await fx.connect(witness.token, { protocolVersion: version });
  });
  afterEach(async () => {
    // Whatever happened, the other device still downloads its whole image.
    const image = await download(witnessClient, {
      requestId: String(++downloads),
      chunkSize: 8192,
    });
    expect(image.equals(witness.firmware)).toBe(true);
    await fx.close();
  });

  // MQTT 5 answers in the PUBACK; 3.1.1 has no reason codes, the station keeps the connection
  // (ThingsBoard closes it) and records the error.
  const expectRefused = async (
    topic: string,
    payload: string | Buffer,
    code: number,
    kind: string,
  ) => {
    expect(await pubackCode(client, topic, payload)).toBe(version === 5 ? code : 0);
    const errors = await protocolErrors(fx);
    const entry = errors.find((e) => e.kind === kind);
    expect(entry, `a ${kind} error`).toMatchObject({ deviceId: bad.deviceId, deviceName: 'bad' });
    expect(client.connected).toBe(true);
    // Still served on the same connection.
    expect(await pubackCode(client, 'v1/devices/me/telemetry', '{"alive":1}')).toBe(0);
  };

  it.each([
    ['telemetry', 'v1/devices/me/telemetry'],
    ['client attributes', 'v1/devices/me/attributes'],
    ['an attribute request', 'v1/devices/me/attributes/request/1'],
    ['an RPC request', 'v1/devices/me/rpc/request/1'],
  ])('invalid JSON in %s: 0x99 on MQTT 5, the connection stays', async (_what, topic) => {
    await expectRefused(topic, '{"fw_state":', 0x99, 'invalid-json');
  });

  it.each([
    ['telemetry as a number', 'v1/devices/me/telemetry', '42', 'bad-telemetry'],
    ['telemetry as a string', 'v1/devices/me/telemetry', '"UPDATED"', 'bad-telemetry'],
    ['telemetry as null', 'v1/devices/me/telemetry', 'null', 'bad-telemetry'],
    [
      'telemetry with a string ts',
      'v1/devices/me/telemetry',
      '{"ts":"1","values":{}}',
      'bad-telemetry',
    ],
    ['an empty telemetry payload', 'v1/devices/me/telemetry', '', 'invalid-json'],
    ['client attributes as an array', 'v1/devices/me/attributes', '[1,2]', 'bad-attributes'],
    ['client attributes as a number', 'v1/devices/me/attributes', '7', 'bad-attributes'],
    [
      'attribute keys as a number',
      'v1/devices/me/attributes/request/2',
      '{"clientKeys":5}',
      'bad-attribute-request',
    ],
  ])('%s: 0x99 on MQTT 5, nothing stored', async (_what, topic, payload, kind) => {
    await expectRefused(topic, payload, 0x99, kind);
    const detail = await fx.station.api['devices.get']({ id: bad.deviceId });
    expect(detail.latestTelemetry.map((t) => t.key)).toEqual([
      'alive',
      'fw_state',
      'target_fw_tag',
      'target_fw_title',
      'target_fw_ts',
      'target_fw_version',
    ]);
    expect(detail.clientAttributes).toEqual({});
  });

  it.each([
    'v1/devices/me/unknown',
    'v1/devices/OTHER/telemetry',
    'v1/devices/me/telemetry/extra',
    'v1/devices/me/attributes/request/abc',
    'v2/fw/response/1/chunk/0',
    'v2/fw/request/1/chunk/x',
    'v2/fw/request/1/chunk/-1',
    'v2/fw/request/1/chunk/99999999999999999999',
    'v2/fw/error',
  ])('a publish to %j: 0x90 on MQTT 5, recorded, the connection stays', async (topic) => {
    await expectRefused(topic, '1024', 0x90, 'unknown-topic');
  });

  it('odd but valid request ids are echoed verbatim', async () => {
    for (const id of ['-1', '1.5', 'x'.repeat(200)]) {
      const image = await download(client, { requestId: id, chunkSize: 4096, maxChunks: 10 });
      expect(image.equals(bad.firmware)).toBe(true);
    }
  });

  it('a deeply nested JSON value is refused as a bad payload, never a crash', async () => {
    const deep = `{"k":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    const code = await pubackCode(client, 'v1/devices/me/telemetry', deep);
    expect(code).toBe(version === 5 ? 0x99 : 0);
    expect(await pubackCode(client, 'v1/devices/me/attributes', deep)).toBe(code);
    expect(client.connected).toBe(true);
    const errors = await protocolErrors(fx);
    expect(errors.filter((e) => e.message.includes('nested deeper than 32 levels'))).toHaveLength(
      2,
    );
  });

  it('a packet over the size limit closes only that connection', async () => {
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('v1/devices/me/telemetry', Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 0 });
    await closed;
    const errors = await protocolErrors(fx);
    expect(errors.find((e) => e.kind === 'packet-too-large')).toMatchObject({
      deviceId: bad.deviceId,
    });
  });

  it('a PUBLISH before CONNECT is refused by closing the socket', async () => {
    const raw = await RawMqtt.open(fx.station.mqttAddress().port, version);
    raw.publish('v1/devices/me/telemetry', '{"sneaky":1}', 0);
    await raw.closed;
    expect(raw.packets).toEqual([]);
    const errors = await protocolErrors(fx);
    expect(errors.some((e) => e.kind === 'first-packet-not-connect')).toBe(true);
  });

  it('garbage bytes instead of CONNECT close the socket', async () => {
    const raw = await RawMqtt.open(fx.station.mqttAddress().port, version);
    raw.socket.write(crypto.randomBytes(4096).fill(0xff, 0, 8));
    await raw.closed;
    expect(raw.packets).toEqual([]);
    expect((await protocolErrors(fx)).some((e) => e.kind === 'malformed-packet')).toBe(true);
  });

  it('garbage bytes after a valid CONNECT close that connection only', async () => {
    const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, bad.token);
    raw.socket.write(Buffer.from([0x00, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x01, 0x02]));
    await raw.closed;
    expect(client.connected).toBe(true);
  });

  it('an HTTP request on the MQTT port closes the socket', async () => {
    const raw = await RawMqtt.open(fx.station.mqttAddress().port, version);
    raw.socket.write('GET / HTTP/1.1\r\nHost: station\r\n\r\n');
    await raw.closed;
    expect(raw.packets).toEqual([]);
  });

  it('a 0-byte package import is refused with a clear message', async () => {
    const before = await fx.station.api['packages.list']({});
    await expect(
      fx.station.importPackage(
        PackageMeta.parse({
          title: 'empty',
          version: '1',
          type: 'FIRMWARE',
          fileName: 'empty.bin',
          profileId: bad.profileId,
        }),
        Readable.from([Buffer.alloc(0)]),
      ),
    ).rejects.toThrow('The file empty.bin is empty: a package needs a binary');
    expect(await fx.station.api['packages.list']({})).toEqual(before);
  });

  it('many bad messages in a row leave the session and the station serving', async () => {
    const payloads = ['{', '42', '"x"', '[1]', '', '\u0000', 'null', '{"ts":-1,"values":{}}'];
    const seen = recordMessages(client);
    for (const payload of payloads) {
      for (const topic of [
        'v1/devices/me/telemetry',
        'v1/devices/me/attributes',
        'v2/fw/request/9/chunk/0',
      ]) {
        client.publish(topic, payload, { qos: 0 });
      }
    }
    // QoS 0: no acknowledgement to wait for, so wait for the station's account of each one.
    // ('42' and '' are valid chunk sizes and '{"ts":-1,...}' a valid attribute object.)
    const expected = {
      'invalid-json': 6,
      'bad-telemetry': 5,
      'bad-attributes': 4,
      'bad-chunk-size': 6,
    };
    const counts = async () => {
      const errors = await protocolErrors(fx);
      return Object.fromEntries(
        Object.keys(expected).map((kind) => [kind, errors.filter((e) => e.kind === kind).length]),
      );
    };
    await waitFor(async () => Object.values(await counts()).reduce((a, b) => a + b) >= 21);
    expect(await counts()).toEqual(expected);
    // The FAILUREs are recorded before they reach the device: let them all arrive, so that the
    // download below does not take one of them for its own answer.
    await waitFor(() => seen.filter((m) => m.topic === 'v2/fw/error').length >= 6);
    const image = await download(client, { requestId: '10', chunkSize: 1000 });
    expect(image.equals(bad.firmware)).toBe(true);
  });
});
