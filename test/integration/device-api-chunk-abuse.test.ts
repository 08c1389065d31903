/**
 * A device that asks for more than it reads, or invents a new request id per request, must cost
 * the station a bounded amount of memory: chunk reads are charged to the session's queue before
 * they are made, and the request ids a connection keeps are bounded.
 */
import { generate } from 'mqtt-packet';
import { beforeAll, describe, expect, it } from 'vitest';

import { closedAfterEach } from '../support/closed-after-each';
import { startStationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import {
  BIG_PACKAGE as BIG,
  binary,
  bytesReadByThisProcess,
  deviceWithFirmware,
  MB,
  payloadOf,
  protocolErrors,
  RawMqtt,
  VERSIONS,
} from './device-api-helpers';

const KiB = 1024;

let big: Buffer;
beforeAll(() => {
  big = binary(BIG, 3);
});

describe.each(VERSIONS)('chunk abuse over MQTT protocol version %i', (version) => {
  const startFixture = closedAfterEach(startStationFixture);

  it('2000 pipelined 512 KiB chunk requests from a device that does not read: dropped before the reads', async () => {
    const fx = await startFixture();
    const sc = await deviceWithFirmware(fx, { bytes: big });
    const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, sc.token);
    try {
      // Open (and hash) the binary first, so that what follows counts only chunk reads.
      raw.publish('v2/fw/request/0/chunk/0', '10', 1, 1);
      await raw.waitFor((p) => p.cmd === 'publish', 20_000);
      raw.socket.pause();
      const before = bytesReadByThisProcess();
      const requests: Buffer[] = [];
      for (let i = 0; i < 2000; i++) {
        requests.push(
          generate(
            {
              cmd: 'publish',
              topic: `v2/fw/request/1/chunk/${i % 76}`,
              payload: String(512 * KiB),
              qos: 1,
              messageId: i + 2,
              dup: false,
              retain: false,
            },
            { protocolVersion: version },
          ),
        );
      }
      raw.socket.write(Buffer.concat(requests));
      const overflow = await waitFor(async () =>
        (await protocolErrors(fx)).find(
          (e) => e.kind === 'queue-overflow' && e.deviceId === sc.deviceId,
        ),
      );
      expect(overflow.message).toContain('not reading');
      await waitFor(async () => (await fx.station.api['station.status']({})).sessions === 0);
      // Reads already started may still finish; give them time, then count.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const read = bytesReadByThisProcess() - before;
      // The session's queue cap (32 MiB) and a chunk, not 2000 x 512 KiB = 1049 MB.
      expect(read).toBeLessThan(100 * MB);
    } finally {
      raw.end();
    }
  });

  it('20,000 distinct request ids: the oldest bindings are forgotten, recent ones stay pinned', async () => {
    const fx = await startFixture();
    const sc = await deviceWithFirmware(fx, { size: 5000, seed: 1 });
    const second = binary(5000, 2);
    const third = binary(5000, 3);
    const { raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, sc.token);
    const assign = async (bytes: Buffer, v: string) => {
      const pkg = await fx.packageFrom(bytes, { profileId: sc.profileId, version: v });
      await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: pkg.id });
    };
    const ask = async (requestId: string) => {
      const from = raw.packets.length;
      raw.publish(`v2/fw/request/${requestId}/chunk/1`, '100', 0);
      const answer = await raw.waitFor(
        (p) => p.cmd === 'publish' && p.topic === `v2/fw/response/${requestId}/chunk/1`,
        10_000,
        from,
      );
      return payloadOf(answer);
    };
    try {
      expect(await ask('first')).toEqual(sc.firmware.subarray(100, 200));
      await assign(second, '2.0.0');
      // Pinned for the connection: a download in progress keeps its package.
      expect(await ask('first')).toEqual(sc.firmware.subarray(100, 200));
      const flood: Buffer[] = [];
      for (let i = 0; i < 20_000; i++) {
        flood.push(
          generate(
            {
              cmd: 'publish',
              topic: `v2/fw/request/id-${i}/chunk/0`,
              payload: '1',
              qos: 0,
              dup: false,
              retain: false,
            },
            { protocolVersion: version },
          ),
        );
      }
      raw.socket.write(Buffer.concat(flood));
      await raw.waitFor(
        (p) => p.cmd === 'publish' && p.topic === 'v2/fw/response/id-19999/chunk/0',
        30_000,
      );
      // 'first' fell out of the bounded table: asked again, it resolves to what is assigned now.
      expect(await ask('first')).toEqual(second.subarray(100, 200));
      // A recent id is still pinned.
      await assign(third, '3.0.0');
      expect(await ask('id-19999')).toEqual(second.subarray(100, 200));
      expect(raw.isClosed).toBe(false);
    } finally {
      raw.end();
    }
  });
});
