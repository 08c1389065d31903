/**
 * ThingsBoard's Python SDK on its default chunk size (0), and the firmware script from its docs
 * when no size is given, ask for chunk 0 with an empty payload and expect the whole file in one
 * PUBLISH on the chunk response topic. ThingsBoard answers with the whole file whatever its size
 * (an empty size is 0, which passes its size check), so the station must too: streamed from the
 * cached blob, never held whole in memory, refused only where MQTT itself cannot carry it.
 */
import fs from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { closedAfterEach } from '../support/closed-after-each';
import { startStationFixture } from '../support/station-fixture';
import {
  BIG_PACKAGE as BIG,
  binary,
  bytesReadByThisProcess,
  deviceWithFirmware,
  MB,
  payloadOf,
  protocolErrors,
  RawMqtt,
  requestChunk,
  VERSIONS,
} from './device-api-helpers';

const whole = (requestId: string) => ({
  requestTopic: `v2/fw/request/${requestId}/chunk/0`,
  responseTopic: `v2/fw/response/${requestId}/chunk/0`,
});

let big: Buffer;
beforeAll(() => {
  big = binary(BIG, 7);
});

describe.each(VERSIONS)('the whole file over MQTT protocol version %i', (version) => {
  const startFixture = closedAfterEach(startStationFixture);

  it('a 40 MB package read from disk arrives in one message, byte for byte', async () => {
    const fx = await startFixture();
    const sc = await deviceWithFirmware(fx, { bytes: big });
    const client = await fx.connect(sc.token, { protocolVersion: version });
    // What the SDK subscribes to before asking; refused (as ThingsBoard does), which changes
    // nothing: responses go to the requesting session anyway.
    await client.subscribeAsync('v2/fw/response/+', { qos: 1 }).catch(() => undefined);
    const answer = await requestChunk(client, whole('1'), '', 20_000);
    expect(answer.topic).toBe('v2/fw/response/1/chunk/0');
    expect(answer.payload.length).toBe(BIG);
    expect(answer.payload.equals(big)).toBe(true);
    // The same connection goes on working: an explicit chunk after the stream.
    const next = await requestChunk(client, whole('2'), '1000');
    expect(next.payload).toEqual(big.subarray(0, 1000));
  });

  it('a package kept in memory is whole too, whatever the chunk cap', async () => {
    const fx = await startFixture({ maxChunkBytes: 4096 });
    const sc = await deviceWithFirmware(fx, { size: 3 * MB });
    const client = await fx.connect(sc.token, { protocolVersion: version });
    const answer = await requestChunk(client, whole('7'), '', 10_000);
    expect(answer.topic).toBe('v2/fw/response/7/chunk/0');
    expect(answer.payload.equals(sc.firmware)).toBe(true);
    // The explicit cap still holds for an explicit size.
    const refused = await requestChunk(client, whole('8'), '4097');
    expect(refused).toEqual({ topic: 'v2/fw/error', payload: Buffer.from('PAYLOAD_TOO_LARGE') });
  });

  it('packets the device causes during the stream come after it, never inside it', async () => {
    const fx = await startFixture();
    const sc = await deviceWithFirmware(fx, { bytes: big });
    const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, sc.token);
    try {
      // Stop reading once the first megabyte is in: the station is then stuck mid-PUBLISH.
      let received = 0;
      const midway = new Promise<void>((resolve) => {
        const onData = (data: Buffer) => {
          received += data.length;
          if (received < MB) return;
          raw.socket.pause();
          raw.socket.off('data', onData);
          resolve();
        };
        raw.socket.on('data', onData);
      });
      raw.publish('v2/fw/request/1/chunk/0', '', 1, 1);
      await midway;
      // Ping and ask again now: the PINGRESP and the second PUBACK must not be written into the
      // middle of the 40 MB PUBLISH.
      raw.send({ cmd: 'pingreq' });
      raw.publish('v2/fw/request/2/chunk/3', '100', 1, 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      raw.socket.resume();
      await raw.waitFor(
        (p) => p.cmd === 'publish' && p.topic === 'v2/fw/response/2/chunk/3',
        20_000,
      );
      expect(raw.parseErrors).toEqual([]);
      const order = raw.packets.map((p) => (p.cmd === 'publish' ? p.topic : p.cmd));
      expect(order).toEqual([
        'connack',
        'puback',
        'v2/fw/response/1/chunk/0',
        'pingresp',
        'puback',
        'v2/fw/response/2/chunk/3',
      ]);
      const [first, second] = raw.publishes();
      expect(first && payloadOf(first).equals(big)).toBe(true);
      expect(second && payloadOf(second)).toEqual(big.subarray(300, 400));
    } finally {
      raw.end();
    }
  });

  it('a device that does not read costs the station a bounded read-ahead, not the file', async () => {
    const fx = await startFixture();
    const sc = await deviceWithFirmware(fx, { bytes: big });
    const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, sc.token);
    try {
      // Opened (and hashed) once first, so that what follows only counts serving reads.
      raw.publish('v2/fw/request/0/chunk/0', '10', 1, 1);
      await raw.waitFor((p) => p.cmd === 'publish', 20_000);
      raw.socket.pause();
      const before = bytesReadByThisProcess();
      raw.publish('v2/fw/request/1/chunk/0', '', 1, 2);
      raw.publish('v2/fw/request/2/chunk/0', '', 1, 3);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const read = bytesReadByThisProcess() - before;
      // Kernel socket buffers and one read-ahead per session, not 80 MB.
      expect(read).toBeLessThan(16 * MB);
      raw.socket.resume();
      await raw.waitFor(
        (p) => p.cmd === 'publish' && p.topic === 'v2/fw/response/2/chunk/0',
        30_000,
      );
      expect(raw.publishes().map((p) => payloadOf(p).length)).toEqual([10, BIG, BIG]);
    } finally {
      raw.end();
    }
  });

  it('a corrupted cache is never streamed: FAILURE, and the package is marked CORRUPT', async () => {
    const fx = await startFixture();
    const sc = await deviceWithFirmware(fx, { bytes: big });
    const pkg = (await fx.station.api['packages.list']({})).find((p) => p.id === sc.packageId);
    const file = path.join(fx.dataDir, 'packages', 'blobs', pkg?.sha256 ?? '?');
    const handle = fs.openSync(file, 'r+');
    fs.writeSync(handle, Buffer.from([(big[BIG - 5] ?? 0) ^ 0xff]), 0, 1, BIG - 5);
    fs.closeSync(handle);
    const client = await fx.connect(sc.token, { protocolVersion: version });
    const answer = await requestChunk(client, whole('1'), '', 20_000);
    expect(answer).toEqual({ topic: 'v2/fw/error', payload: Buffer.from('FAILURE') });
    const listed = (await fx.station.api['packages.list']({})).find((p) => p.id === sc.packageId);
    expect(listed?.status).toBe('CORRUPT');
  });
});

// MQTT 5 lets a client say how big a packet it takes; the whole file over that is refused with
// the error the device reads, not dropped silently.
describe('an MQTT 5 client whose Maximum Packet Size is under the file', () => {
  const startFixture = closedAfterEach(startStationFixture);

  it('gets PAYLOAD_TOO_LARGE for the whole file and chunks it can take', async () => {
    const fx = await startFixture();
    const sc = await deviceWithFirmware(fx, { size: 3 * MB });
    const client = await fx.connect(sc.token, {
      protocolVersion: 5,
      properties: { maximumPacketSize: 1024 * 1024 },
    });
    const answer = await requestChunk(client, whole('1'), '');
    expect(answer).toEqual({ topic: 'v2/fw/error', payload: Buffer.from('PAYLOAD_TOO_LARGE') });
    const chunk = await requestChunk(client, whole('2'), '65536');
    expect(chunk.payload).toEqual(sc.firmware.subarray(0, 65536));
    const errors = await protocolErrors(fx);
    expect(errors.some((e) => e.kind === 'packet-too-large-for-client')).toBe(true);
  });
});
