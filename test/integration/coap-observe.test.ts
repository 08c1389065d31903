import type { ParsedPacket } from 'coap-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { coapObserve, optionOf, RawCoap } from '../support/coap-clients';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, deviceWithFirmware, protocolErrors, type Scenario } from './device-api-helpers';

const observeOption = (value: number) => ({
  name: 'Observe' as const,
  value: value === 0 ? Buffer.alloc(0) : Buffer.of(value),
});
const json = (p: ParsedPacket): unknown => JSON.parse(p.payload.toString());

// docs/device-protocol.md#coap-observe: shared attributes pushed to a CoAP observer.
describe('CoAP Observe on attributes', () => {
  let fx: StationFixture;
  let sc: Scenario;
  let port: number;

  beforeEach(async () => {
    fx = await startStationFixture({ coapPort: 0 });
    sc = await deviceWithFirmware(fx, { size: 4000, version: '1.0.1' });
    port = fx.station.coapAddress().port;
  });
  afterEach(async () => {
    await fx.close();
  });

  const sessions = () => fx.station.api['station.sessions']({});

  it('sends the shared attributes first, flat, then each change; the device is online meanwhile', async () => {
    const { code, notifications, agent, deregister } = await coapObserve({
      port,
      pathname: `/api/v1/${sc.token}/attributes`,
    });
    try {
      expect(code).toBe('2.05');
      await waitFor(() => notifications.length >= 1);
      expect(JSON.parse(notifications[0]!.toString())).toMatchObject({
        fw_title: 'CIM-168',
        fw_version: '1.0.1',
        fw_size: 4000,
        fw_checksum_algorithm: 'SHA256',
      });
      const [session] = await waitFor(async () => {
        const list = await sessions();
        return list.length === 1 && list;
      });
      expect(session).toMatchObject({
        deviceId: sc.deviceId,
        transport: 'coap',
        protocolLabel: 'CoAP',
      });
      expect((await fx.station.api['devices.get']({ id: sc.deviceId })).online).toBe(true);

      const next = await fx.packageFrom(binary(6000, 1), {
        profileId: sc.profileId,
        version: '1.0.2',
      });
      await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: next.id });
      const pushed = await waitFor(() =>
        notifications
          .slice(1)
          .map((n) => JSON.parse(n.toString()) as Record<string, unknown>)
          .find((n) => n.fw_version === '1.0.2'),
      );
      expect(pushed).toMatchObject({ fw_title: 'CIM-168', fw_size: 6000 });

      await fx.station.api['assignments.unassign']({ deviceId: sc.deviceId, type: 'FIRMWARE' });
      const deleted = await waitFor(() =>
        notifications
          .map((n) => JSON.parse(n.toString()) as { deleted?: string[] })
          .find((n) => n.deleted?.includes('fw_version')),
      );
      expect(deleted.deleted).toEqual(expect.arrayContaining(['fw_title', 'fw_size']));
      // Deregistered with the same token from the same endpoint: ThingsBoard's 2.02 Deleted.
      expect((await deregister()).code).toBe('2.02');
      expect(fx.station.coapStats().observations).toBe(0);
    } finally {
      agent.close();
    }
  });

  it('replaces an observation with a new token (the old one hears 2.02) and ends one on Observe:1', async () => {
    const first = await RawCoap.open(port);
    const second = await RawCoap.open(port);
    try {
      const path = `/api/v1/${sc.token}/attributes`;
      first.send(
        first.datagram({
          method: 'GET',
          path,
          token: Buffer.from('aa01', 'hex'),
          options: [observeOption(0)],
        }),
      );
      const snapshot = await first.next((p) => p.code === '2.05');
      expect(optionOf(snapshot, 'Observe')).toBeDefined();
      expect(json(snapshot)).toMatchObject({ fw_version: '1.0.1' });

      second.send(
        second.datagram({
          method: 'GET',
          path,
          token: Buffer.from('bb02', 'hex'),
          options: [observeOption(0)],
        }),
      );
      await second.next((p) => p.code === '2.05');
      const ended = await first.next((p) => p.code === '2.02');
      expect(ended.token.toString('hex')).toBe('aa01');
      expect(optionOf(ended, 'Observe')).toBeUndefined();
      expect(await sessions()).toHaveLength(1);

      second.send(
        second.datagram({
          method: 'GET',
          path,
          token: Buffer.from('bb02', 'hex'),
          options: [observeOption(1)],
        }),
      );
      const deregistered = await second.next((p) => p.code === '2.02');
      expect(deregistered.token.toString('hex')).toBe('bb02');
      expect(fx.station.coapStats().observations).toBe(0);
      // Present still, for a while after its last request, though no longer observing.
      expect(await sessions()).toHaveLength(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('ends an observation when the device answers a notification with RST', async () => {
    const raw = await RawCoap.open(port, { autoAck: false });
    try {
      raw.send(
        raw.datagram({
          method: 'GET',
          path: `/api/v1/${sc.token}/attributes`,
          options: [observeOption(0)],
        }),
      );
      await raw.next((p) => p.code === '2.05');
      await waitFor(async () => (await sessions()).length === 1);
      const next = await fx.packageFrom(binary(100, 2), {
        profileId: sc.profileId,
        version: '1.0.3',
      });
      await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: next.id });
      const notification = await raw.next((p) => p.confirmable && p.code === '2.05');
      expect(fx.station.coapStats().observations).toBe(1);
      raw.sendPacket({ code: '0.00', reset: true, messageId: notification.messageId });
      await waitFor(() => fx.station.coapStats().observations === 0);
    } finally {
      await raw.close();
    }
  });
});

describe('CoAP observation limits', () => {
  let fx: StationFixture;
  afterEach(async () => {
    await fx.close();
  });

  it('refuses observations past the station-wide limit with 5.03, logged', async () => {
    fx = await startStationFixture({ coapPort: 0, coapMaxObservations: 1 });
    const a = await deviceWithFirmware(fx, { size: 100 });
    const b = await deviceWithFirmware(fx, { size: 100 });
    const raw = await RawCoap.open(fx.station.coapAddress().port);
    try {
      raw.send(
        raw.datagram({
          method: 'GET',
          path: `/api/v1/${a.token}/attributes`,
          messageId: 1,
          options: [observeOption(0)],
        }),
      );
      expect((await raw.next((p) => p.messageId === 1)).code).toBe('2.05');
      raw.send(
        raw.datagram({
          method: 'GET',
          path: `/api/v1/${b.token}/attributes`,
          messageId: 2,
          options: [observeOption(0)],
        }),
      );
      const refused = await raw.next((p) => p.messageId === 2);
      expect(refused.code).toBe('5.03');
      expect(optionOf(refused, 'Observe')).toBeUndefined();
      const errors = await protocolErrors(fx);
      expect(errors.find((e) => e.kind === 'coap-observe-limit')).toMatchObject({
        deviceId: b.deviceId,
      });
    } finally {
      await raw.close();
    }
  });
});
