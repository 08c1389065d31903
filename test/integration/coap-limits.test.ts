import { afterEach, describe, expect, it } from 'vitest';

import { optionOf, RawCoap } from '../support/coap-clients';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { deviceWithFirmware, protocolErrors } from './device-api-helpers';

// Bad input never ends the station nor grows its memory without bound.
describe('CoAP limits', () => {
  let fx: StationFixture;
  afterEach(async () => {
    await fx.close();
  });

  it('keeps at most the configured answers for retransmissions under a flood', async () => {
    fx = await startStationFixture({ coapPort: 0, coapLimits: { maxCachedResponses: 200 } });
    const sc = await deviceWithFirmware(fx, { size: 100 });
    const raw = await RawCoap.open(fx.station.coapAddress().port);
    try {
      // 5000 distinct requests (each one a new message id), and datagrams that are not CoAP.
      // Sent as fast as the socket takes them: the kernel drops some, as it would on site.
      for (let i = 0; i < 5000; i++) {
        raw.send(
          raw.datagram({ method: 'GET', path: `/api/v1/wrong-${i}/attributes`, messageId: i }),
        );
        if (i % 10 === 0) raw.send(Buffer.from([0xff, 0x00, i & 0xff]));
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 2));
      }
      await waitFor(() => fx.station.coapStats().requests > 1000, { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 500));
      const stats = fx.station.coapStats();
      expect(stats.requests).toBeGreaterThan(1000);
      expect(stats.cachedResponses).toBeLessThanOrEqual(200);
      expect(stats.malformed).toBeGreaterThan(0);
      // Still serving.
      raw.send(raw.datagram({ method: 'GET', path: `/fw/${sc.token}`, messageId: 60_000 }));
      expect((await raw.next((p) => p.messageId === 60_000)).code).toBe('2.05');
    } finally {
      await raw.close();
    }
  }, 60_000);

  it('refuses a message over the size limit with 4.13, logged with the device', async () => {
    fx = await startStationFixture({ coapPort: 0, telemetryLimits: { maxMessageBytes: 100 } });
    const sc = await deviceWithFirmware(fx, { size: 100 });
    const raw = await RawCoap.open(fx.station.coapAddress().port);
    try {
      const payload = JSON.stringify({ note: 'x'.repeat(200) });
      raw.send(
        raw.datagram({
          method: 'POST',
          path: `/api/v1/${sc.token}/telemetry`,
          messageId: 9,
          payload,
        }),
      );
      expect((await raw.next((p) => p.messageId === 9)).code).toBe('4.13');
      const errors = await protocolErrors(fx);
      expect(errors.find((e) => e.kind === 'message-too-large')).toMatchObject({
        deviceId: sc.deviceId,
      });
    } finally {
      await raw.close();
    }
  });

  it('refuses a body sent in blocks (Block1) with 4.13 and says how much fits', async () => {
    fx = await startStationFixture({ coapPort: 0 });
    const sc = await deviceWithFirmware(fx, { size: 100 });
    const raw = await RawCoap.open(fx.station.coapAddress().port);
    try {
      raw.send(
        raw.datagram({
          method: 'POST',
          path: `/api/v1/${sc.token}/telemetry`,
          messageId: 5,
          payload: Buffer.alloc(64, 0x20),
          options: [{ name: 'Block1', value: Buffer.of(0x0a) }], // NUM 0, M=1, 64 bytes
        }),
      );
      const refused = await raw.next((p) => p.messageId === 5);
      expect(refused.code).toBe('4.13');
      expect(optionOf(refused, 'Size1')?.readUIntBE(0, 2)).toBe(1024);
      expect((await protocolErrors(fx)).some((e) => e.kind === 'coap-block1')).toBe(true);
    } finally {
      await raw.close();
    }
  });
});
