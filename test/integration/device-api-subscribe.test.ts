import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { payloadOf, protocolErrors, RawMqtt, VERSIONS } from './device-api-helpers';

const KNOWN = [
  'v1/devices/me/attributes',
  'v1/devices/me/attributes/response/+',
  'v1/devices/me/rpc/request/+',
  'v1/devices/me/rpc/response/+',
  'v2/fw/response/+/chunk/+',
  'v2/fw/error',
  'v2/sw/response/+/chunk/+',
  'v2/sw/error',
];

// Filters that look plausible to a device but that the station does not offer, including the
// one official ThingsBoard clients use for chunks and another device's topics.
const UNKNOWN = [
  '#',
  'v1/devices/me/#',
  'v1/devices/+/attributes',
  'v1/devices/OTHER/attributes',
  'v1/devices/me/telemetry',
  'v2/fw/response/+',
  'v2/fw/response/#',
];

// docs/device-protocol.md#subscriptions: max QoS 1, only the known filters granted, the connection kept.
describe.each(VERSIONS)('SUBSCRIBE over MQTT protocol version %i', (version) => {
  const failure = version === 5 ? 0x8f : 0x80;
  let fx: StationFixture;
  let raw: RawMqtt;

  beforeEach(async () => {
    fx = await startStationFixture();
    const profile = await fx.profile();
    const device = await fx.device('A', profile.id);
    ({ raw } = await RawMqtt.connect(fx.station.mqttAddress().port, version, device.accessToken));
  });
  afterEach(async () => {
    raw.end();
    await fx.close();
  });

  it('grants every known filter at the QoS asked for, QoS 2 as 1', async () => {
    const asked = KNOWN.map((topic, i) => ({ topic, qos: (i % 3) as 0 | 1 | 2 }));
    raw.subscribe(10, asked);
    const suback = await raw.waitFor((p) => p.cmd === 'suback');
    expect(suback).toMatchObject({ messageId: 10, granted: asked.map((s) => Math.min(s.qos, 1)) });
  });

  it(`refuses other filters with 0x${failure.toString(16)} and keeps the connection usable`, async () => {
    raw.subscribe(11, [
      { topic: UNKNOWN[0] ?? '', qos: 1 },
      { topic: 'v1/devices/me/attributes/response/+', qos: 2 },
      ...UNKNOWN.slice(1).map((topic) => ({ topic, qos: 0 as const })),
    ]);
    const suback = await raw.waitFor((p) => p.cmd === 'suback');
    expect(suback).toMatchObject({
      messageId: 11,
      granted: [failure, 1, ...UNKNOWN.slice(1).map(() => failure)],
    });
    // Still connected and served: the granted QoS 1 filter carries the attribute response at QoS 1.
    raw.publish('v1/devices/me/attributes/request/5', '{}', 1, 7);
    const response = await raw.waitFor(
      (p) => p.cmd === 'publish' && p.topic === 'v1/devices/me/attributes/response/5',
    );
    expect(response).toMatchObject({ qos: 1 });
    expect(payloadOf(response).toString()).toBe('{}');
    raw.send({ cmd: 'pingreq' });
    await raw.waitFor((p) => p.cmd === 'pingresp');
    expect(raw.isClosed).toBe(false);
    const refused = (await protocolErrors(fx)).filter((e) => e.kind === 'subscription-refused');
    // All but the ThingsBoard SDK's own filter, which is a note (see below).
    expect(refused.map((e) => e.message)).toEqual(
      UNKNOWN.filter((t) => t !== 'v2/fw/response/+')
        .reverse()
        .map((t) => expect.stringContaining(`'${t}'`) as unknown),
    );
    expect(refused.every((e) => e.severity === 'error')).toBe(true);
  });

  it("the SDK's own v2/fw/response/+ is refused as before, and noted once per device as information", async () => {
    const sdkFilters = ['v2/fw/response/+', 'v2/sw/response/+'];
    raw.subscribe(
      20,
      sdkFilters.map((topic) => ({ topic, qos: 1 as const })),
    );
    const suback = await raw.waitFor((p) => p.cmd === 'suback');
    expect(suback).toMatchObject({ messageId: 20, granted: [failure, failure] });
    // Again on this connection, and from a second connection of the same device.
    raw.subscribe(21, [{ topic: 'v2/fw/response/+', qos: 1 }]);
    await raw.waitFor((p) => p.cmd === 'suback' && p.messageId === 21);
    const device = (await fx.station.api['devices.list']({})).find((d) => d.name === 'A');
    const second = await RawMqtt.connect(
      fx.station.mqttAddress().port,
      version,
      device?.accessToken,
    );
    second.raw.subscribe(22, [{ topic: 'v2/fw/response/+', qos: 1 }]);
    await second.raw.waitFor((p) => p.cmd === 'suback');
    second.raw.end();
    const entries = await protocolErrors(fx);
    expect(entries.filter((e) => e.kind === 'subscription-refused')).toEqual([]);
    const notes = entries.filter((e) => e.severity === 'info');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      kind: 'sdk-subscription',
      deviceName: 'A',
      message: expect.stringContaining("'v2/fw/response/+'") as unknown,
    });
    expect(raw.isClosed).toBe(false);
  });

  it('a QoS 0 subscription gets its responses at QoS 0', async () => {
    raw.subscribe(12, [{ topic: 'v1/devices/me/attributes/response/+', qos: 0 }]);
    await raw.waitFor((p) => p.cmd === 'suback');
    raw.publish('v1/devices/me/attributes/request/6', '{}', 1, 8);
    const response = await raw.waitFor(
      (p) => p.cmd === 'publish' && p.topic === 'v1/devices/me/attributes/response/6',
    );
    expect(response).toMatchObject({ qos: 0 });
  });
});
