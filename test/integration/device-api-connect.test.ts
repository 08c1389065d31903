import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { protocolErrors, RawMqtt, VERSIONS } from './device-api-helpers';

// docs/device-protocol.md#connecting: the access token is the MQTT username, nothing else counts.
describe.each(VERSIONS)('connect over MQTT protocol version %i', (version) => {
  const refused = version === 5 ? 0x86 : 0x05;
  let fx: StationFixture;
  let port: number;

  beforeEach(async () => {
    fx = await startStationFixture();
    port = fx.station.mqttAddress().port;
  });
  afterEach(async () => {
    await fx.close();
  });

  it('takes the token as username, ignores the password, accepts any client id', async () => {
    const profile = await fx.profile();
    const a = await fx.device('A', profile.id, 'TOKEN_A');
    const b = await fx.device('B', profile.id, 'TOKEN_B');
    // B's token as A's password must not matter: the username alone names the device.
    const client = await fx.connect(a.accessToken, {
      protocolVersion: version,
      password: b.accessToken,
      clientId: 'any id ÄÖ/#+ with spaces',
    });
    await client.publishAsync('v1/devices/me/telemetry', '{"who":"A"}', { qos: 1 });
    const detailA = await fx.station.api['devices.get']({ id: a.id });
    const detailB = await fx.station.api['devices.get']({ id: b.id });
    expect(detailA.online).toBe(true);
    expect(detailA.latestTelemetry.map((t) => [t.key, t.value])).toEqual([['who', 'A']]);
    expect(detailB.online).toBe(false);
    expect(detailB.latestTelemetry).toEqual([]);
  });

  it('accepts a Will and never acts on it, even when the connection is cut (as ThingsBoard)', async () => {
    const profile = await fx.profile();
    const device = await fx.device('A', profile.id);
    const client = await fx.connect(device.accessToken, {
      protocolVersion: version,
      will: {
        topic: 'v1/devices/me/telemetry',
        payload: Buffer.from('{"fw_state":"FAILED"}'),
        qos: 1,
        retain: false,
      },
    });
    await client.publishAsync('v1/devices/me/telemetry', '{"alive":true}', { qos: 1 });
    // Cut without DISCONNECT: a broker would publish the Will now.
    client.stream.destroy();
    await waitFor(async () => !(await fx.station.api['devices.get']({ id: device.id })).online);
    const detail = await fx.station.api['devices.get']({ id: device.id });
    expect(detail.latestTelemetry.map((t) => [t.key, t.value])).toEqual([['alive', true]]);
  });

  it('accepts an empty client id (the station assigns one)', async () => {
    const profile = await fx.profile();
    const device = await fx.device('A', profile.id);
    const { raw, code } = await RawMqtt.connect(port, version, device.accessToken, '');
    expect(code).toBe(0);
    const connack = raw.packets[0];
    if (version === 5) {
      expect(connack?.cmd === 'connack' && connack.properties?.assignedClientIdentifier).toMatch(
        /\S+/,
      );
    }
    raw.end();
  });

  it(`refuses an unknown token with CONNACK 0x${refused.toString(16).padStart(2, '0')}, closes, and records it`, async () => {
    const { raw, code } = await RawMqtt.connect(port, version, 'NO_SUCH_TOKEN_123');
    expect(code).toBe(refused);
    await raw.closed;
    expect(raw.packets.map((p) => p.cmd)).toEqual(['connack']);
    const errors = await protocolErrors(fx);
    const badToken = errors.find((e) => e.kind === 'bad-token');
    expect(badToken).toMatchObject({ deviceId: null, message: expect.stringContaining('NO_S') });
    // A token is a secret: the log shows enough to recognise it, never all of it.
    expect(JSON.stringify(errors)).not.toContain('NO_SUCH_TOKEN_123');
  });

  it('refuses a CONNECT without username and records it', async () => {
    const { raw, code } = await RawMqtt.connect(port, version, undefined);
    expect(code).toBe(refused);
    await raw.closed;
    const errors = await protocolErrors(fx);
    expect(
      errors.some((e) => e.kind === 'bad-token' && /without an access token/.test(e.message)),
    ).toBe(true);
  });

  it('refuses an empty username', async () => {
    const { raw, code } = await RawMqtt.connect(port, version, '');
    expect(code).toBe(refused);
    await raw.closed;
  });

  it('MQTT.js sees the refusal as an error with that code, and no session stays', async () => {
    await expect(
      mqtt.connectAsync(fx.mqttUrl, {
        username: 'WRONG',
        protocolVersion: version,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      }),
    ).rejects.toMatchObject({ code: refused });
    const status = await fx.station.api['station.status']({});
    expect(status.sessions).toBe(0);
    expect(status.connectedDevices).toBe(0);
  });

  it('a device goes offline when its connection ends', async () => {
    const profile = await fx.profile();
    const device = await fx.device('A', profile.id);
    const client = await fx.connect(device.accessToken, { protocolVersion: version });
    expect((await fx.station.api['devices.get']({ id: device.id })).online).toBe(true);
    await client.endAsync();
    await waitFor(async () => !(await fx.station.api['devices.get']({ id: device.id })).online);
  });

  it('a new connection with the same client id takes over from the old one, for that device only', async () => {
    const profile = await fx.profile();
    const a = await fx.device('A', profile.id, 'TOKEN_A');
    const b = await fx.device('B', profile.id, 'TOKEN_B');
    const first = await fx.connect(a.accessToken, {
      protocolVersion: version,
      clientId: 'gateway-1',
    });
    const other = await fx.connect(b.accessToken, {
      protocolVersion: version,
      clientId: 'gateway-1',
    });
    const firstClosed = new Promise<number | undefined>((resolve) => {
      first.once('disconnect', (packet) => resolve(packet.reasonCode));
      first.once('close', () => resolve(undefined));
    });
    const second = await fx.connect(a.accessToken, {
      protocolVersion: version,
      clientId: 'gateway-1',
    });
    const reason = await firstClosed;
    if (version === 5) expect(reason).toBe(0x8e);
    await waitFor(() => !first.connected);
    // The device stays online through its new session; B, with the same client id, is untouched.
    expect((await fx.station.api['devices.get']({ id: a.id })).online).toBe(true);
    expect(second.connected).toBe(true);
    expect(other.connected).toBe(true);
    const status = await waitFor(async () => {
      const now = await fx.station.api['station.status']({});
      return now.sessions === 2 && now;
    });
    expect(status.connectedDevices).toBe(2);
  });
});
