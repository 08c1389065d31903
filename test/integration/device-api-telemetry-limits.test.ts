import { afterEach, describe, expect, it } from 'vitest';

import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { protocolErrors, pubackCode, RawMqtt, readDatabase, VERSIONS } from './device-api-helpers';

// One device wrote 100 MB of telemetry in 19 s. Telemetry and attributes now have a size limit
// per message and a rate limit per device in ThingsBoard's "N:seconds" form, announced in
// getSessionLimits. Over the rate the message is dropped and the session closed (MQTT 5:
// DISCONNECT 0x96 message rate too high), as ThingsBoard's transport does; the budget is the
// device's, so reconnecting does not refill it.

function storedRows(fx: StationFixture, deviceId: string): number {
  const db = readDatabase(fx);
  try {
    const row = db
      .prepare('SELECT count(*) AS n FROM telemetry WHERE device_id = ?')
      .get(deviceId) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

describe.each(VERSIONS)('telemetry limits over MQTT %i', (version) => {
  let fx: StationFixture;
  const raws: RawMqtt[] = [];

  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.socket.destroy();
    await fx.close();
  });

  async function rawSession(token: string): Promise<RawMqtt> {
    const { raw, code } = await RawMqtt.connect(fx.station.mqttAddress().port, version, token);
    expect(code).toBe(0);
    raws.push(raw);
    return raw;
  }

  it('refuses a telemetry or attributes message over the size limit and keeps the session', async () => {
    fx = await startStationFixture();
    const profile = await fx.profile();
    const device = await fx.device('A', profile.id);
    const client = await fx.connect(device.accessToken, { protocolVersion: version });
    const big = JSON.stringify({ blob: 'x'.repeat(64 * 1024) });
    const refusedCode = version === 5 ? 0x97 : 0;
    expect(await pubackCode(client, 'v1/devices/me/telemetry', big)).toBe(refusedCode);
    expect(await pubackCode(client, 'v1/devices/me/attributes', big)).toBe(refusedCode);
    expect(await pubackCode(client, 'v1/devices/me/telemetry', '{"ok":1}')).toBe(0);
    expect(storedRows(fx, device.id)).toBe(1);
    const errors = await protocolErrors(fx);
    expect(errors.filter((e) => e.kind === 'message-too-large')).toHaveLength(2);
    expect(client.connected).toBe(true);
  });

  it('limits a flooding device, bounds what it stores, and keeps serving the others', async () => {
    fx = await startStationFixture();
    const profile = await fx.profile();
    const flooder = await fx.device('flooder', profile.id);
    const quiet = await fx.device('quiet', profile.id);
    const raw = await rawSession(flooder.accessToken);
    const other = await rawSession(quiet.accessToken);

    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      // A key of its own per message: rows stored in the same millisecond are not merged.
      raw.publish('v1/devices/me/telemetry', JSON.stringify({ [`n${i}`]: 'y'.repeat(1000) }), 0);
    }
    // The other device is answered while the flood is handled.
    other.publish('v1/devices/me/rpc/request/1', '{"method":"getSessionLimits"}', 0);
    await other.waitFor((p) => p.cmd === 'publish' && p.topic === 'v1/devices/me/rpc/response/1');
    await Promise.race([raw.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
    expect(raw.isClosed).toBe(true);
    if (version === 5) {
      const disconnect = raw.packets.find((p) => p.cmd === 'disconnect');
      expect(disconnect).toMatchObject({ reasonCode: 0x96 });
    }
    const elapsedSeconds = (Date.now() - started) / 1000;
    // The burst (20) plus what refills while the test ran, far from 3000.
    expect(storedRows(fx, flooder.id)).toBeLessThanOrEqual(20 + Math.ceil(20 * elapsedSeconds));
    const errors = await protocolErrors(fx);
    expect(errors.filter((e) => e.kind === 'rate-limit')).toEqual([
      expect.objectContaining({ deviceName: 'flooder' }),
    ]);

    // Reconnecting does not refill the budget: the next burst is cut off at once.
    const again = await rawSession(flooder.accessToken);
    for (let i = 0; i < 200; i++) again.publish('v1/devices/me/telemetry', '{"n":1}', 0);
    await Promise.race([again.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
    expect(again.isClosed).toBe(true);
    expect(other.isClosed).toBe(false);
  });

  it('announces and applies configured limits', async () => {
    fx = await startStationFixture({
      telemetryLimits: { telemetryMessages: '3:60', telemetryDataPoints: '100:60' },
    });
    const profile = await fx.profile();
    const device = await fx.device('A', profile.id);
    const raw = await rawSession(device.accessToken);
    raw.publish('v1/devices/me/rpc/request/1', '{"method":"getSessionLimits"}', 0);
    const answer = await raw.waitFor((p) => p.cmd === 'publish');
    if (answer.cmd !== 'publish') throw new Error('unreachable');
    expect(JSON.parse(answer.payload.toString())).toMatchObject({
      rateLimits: { telemetryMessages: '3:60', telemetryDataPoints: '100:60' },
    });
    for (let i = 0; i < 4; i++) raw.publish('v1/devices/me/telemetry', `{"n${i}":${i}}`, 1, i + 1);
    await raw.closed;
    expect(storedRows(fx, device.id)).toBe(3);
  });
});
