import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Agent, defaultTiming, updateTiming } from 'coap';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { coapClient, coapRequest } from '../support/coap-clients';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { UdpRelay } from '../support/udp-relay';
import { waitFor } from '../support/wait';
import { deviceWithFirmware, type Scenario, sha256 } from './device-api-helpers';

// A lossy radio link: a relay drops a seeded share of the datagrams both ways; CoAP's
// retransmissions, and the station's answers to them from its cache, still deliver the image.
describe('CoAP over a lossy link', () => {
  let fx: StationFixture;
  let sc: Scenario;
  let relay: UdpRelay;

  const startRelay = async (dropRate: number) => {
    relay = await UdpRelay.start({
      target: { host: '127.0.0.1', port: fx.station.coapAddress().port },
      dropRate,
      seed: 20260705,
    });
  };
  const progress = () =>
    waitFor(async () => {
      const [execution] = await fx.station.api['executions.list']({
        deviceId: sc.deviceId,
        limit: 1,
      });
      return execution?.bytesServed === sc.firmware.length;
    });

  beforeEach(async () => {
    fx = await startStationFixture({ coapPort: 0 });
  });
  afterEach(async () => {
    await relay.close();
    await fx.close();
  });

  describe('the coap npm client, one datagram per chunk', () => {
    // A LAN's round trip, not a satellite's: retransmit after 100-150 ms, up to 8 times.
    beforeAll(() => updateTiming({ ackTimeout: 0.1, ackRandomFactor: 1.5, maxRetransmit: 8 }));
    afterAll(() => defaultTiming());

    it('ends with identical bytes when 15% of the datagrams are lost', async () => {
      sc = await deviceWithFirmware(fx, { size: 100_000, seed: 11 });
      await startRelay(0.15);
      const agent = new Agent();
      const parts: Buffer[] = [];
      try {
        for (let chunk = 0; ; chunk++) {
          const reply = await coapRequest({
            port: relay.port,
            pathname: `/fw/${sc.token}`,
            query: `size=1024&chunk=${chunk}`,
            agent,
            timeoutMs: 30_000,
          });
          expect(reply.code).toBe('2.05');
          if (reply.payload.length === 0) break; // EOF
          parts.push(reply.payload);
        }
      } finally {
        agent.close();
      }
      expect(sha256(Buffer.concat(parts))).toBe(sha256(sc.firmware));
      expect(relay.stats.dropped).toBeGreaterThan(20);
      // Answers lost on the way back were asked for again, with the same message id, and
      // answered from the cache.
      expect(fx.station.coapStats().duplicates).toBeGreaterThan(5);
      await progress();
    }, 120_000);
  });

  it("ends with identical bytes through libcoap's Block2 when 5% are lost", async () => {
    sc = await deviceWithFirmware(fx, { size: 30_000, seed: 12 });
    await startRelay(0.05);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coap-lossy-'));
    try {
      const out = path.join(dir, 'fw.bin');
      const run = await coapClient(
        [
          '-m',
          'get',
          '-B',
          '60',
          '-b',
          '512',
          '-o',
          out,
          `coap://127.0.0.1:${relay.port}/fw/${sc.token}`,
        ],
        90_000,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(sha256(fs.readFileSync(out))).toBe(sha256(sc.firmware));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(relay.stats.dropped).toBeGreaterThan(0);
    await progress();
  }, 120_000);
});
