import fs from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { DeviceCloseCause } from '../../electron/core/device-api/device-connection';
import type {
  DeviceCaller,
  DeviceConnection,
  DeviceService,
} from '../../electron/core/device-api/device-service';
import type { StationOptions } from '../../electron/core/station';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { deviceWithFirmware, protocolErrors, type Scenario } from './device-api-helpers';

// The DeviceService called as a second transport would call it (HTTP here), on a real station
// beside its MQTT endpoint: the same decisions, the same log, the same executions.
const FROM = { transport: 'http', remoteAddress: '192.0.2.7', clientId: null } as const;

/** A device's connection of a transport other than MQTT, as a long poll would hold one. */
class HeldConnection implements DeviceConnection {
  readonly transport = 'http';
  readonly remoteAddress = FROM.remoteAddress;
  readonly connectedAt = Date.now();
  readonly protocolLabel = 'HTTP/1.1';
  readonly pushed: string[] = [];
  readonly closed: DeviceCloseCause[] = [];
  private static count = 0;
  readonly id = `held-${++HeldConnection.count}`;

  constructor(
    readonly device: DeviceCaller['device'],
    readonly clientId = 'http-long-poll',
  ) {}

  wantsAttributeUpdates(): boolean {
    return true;
  }
  pushAttributes(json: string): void {
    this.pushed.push(json);
  }
  close(_reason: string, cause: DeviceCloseCause = 'other'): void {
    this.closed.push(cause);
  }
}

describe('the device service called over a second transport', () => {
  let fx: StationFixture;
  let service: DeviceService;
  afterEach(async () => {
    await fx.close();
  });

  const start = async (options: Partial<StationOptions> = {}) => {
    fx = await startStationFixture(options);
    service = fx.station.deviceService;
  };
  const callerFor = (sc: Scenario): DeviceCaller => {
    const device = service.authenticate(sc.token, FROM);
    expect(device?.id).toBe(sc.deviceId);
    return { ...FROM, device: device! };
  };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const lastError = async () => (await protocolErrors(fx))[0];

  it('moves the execution an MQTT session started, and counts the bytes it serves', async () => {
    await start();
    const sc = await deviceWithFirmware(fx, { size: 50_000, version: '1.0.1' });
    const mqtt = await fx.connect(sc.token);
    await mqtt.publishAsync(
      'v1/devices/me/telemetry',
      '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0","fw_state":"DOWNLOADING"}',
      { qos: 1 },
    );
    await mqtt.endAsync();
    const caller = callerFor(sc);

    const opened = await service.openDownload(caller, 'FIRMWARE', {
      title: 'CIM-168',
      version: '1.0.1',
    });
    if (!opened.ok) throw new Error(opened.message);
    const download = opened.value;
    expect(download).toMatchObject({ packageId: sc.packageId, size: 50_000, fileName: 'fw.bin' });
    const parts: Buffer[] = [];
    for (let offset = 0; offset < download.size; offset += 8192) {
      const part = await download.read(offset, 8192);
      parts.push(part);
      download.served(offset + part.length);
    }
    expect(Buffer.concat(parts)).toEqual(sc.firmware);
    expect((await download.read(50_000, 8192)).length).toBe(0);

    for (const state of ['DOWNLOADED', 'VERIFIED', 'UPDATING']) {
      const told = service.telemetry(
        caller,
        json({ current_fw_version: '1.0.0', fw_state: state }),
      );
      expect(told).toEqual({ ok: true, value: undefined });
    }
    service.telemetry(caller, json({ current_fw_version: '1.0.1', fw_state: 'UPDATED' }));

    const list = await waitFor(async () => {
      const found = await fx.station.api['executions.list']({ deviceId: sc.deviceId, limit: 10 });
      return found[0]?.state === 'UPDATED' && found[0].bytesServed === 50_000 && found;
    });
    expect(list).toHaveLength(1);
    expect(list[0]?.history.map((h) => h.state).slice(-5)).toEqual([
      'DOWNLOADING',
      'DOWNLOADED',
      'VERIFIED',
      'UPDATING',
      'UPDATED',
    ]);
    const device = await fx.station.api['devices.get']({ id: sc.deviceId });
    expect(device.firmware).toMatchObject({ currentVersion: '1.0.1', state: 'UPDATED' });
  });

  it('refuses what MQTT refuses, recorded once with the HTTP caller', async () => {
    await start({ telemetryLimits: { maxMessageBytes: 200, telemetryMessages: '3:60' } });
    const sc = await deviceWithFirmware(fx);
    const caller = callerFor(sc);
    const refused = async (
      result: { ok: boolean; refusal?: string },
      refusal: string,
      kind: string,
    ) => {
      expect(result).toMatchObject({ ok: false, refusal });
      expect(await lastError()).toMatchObject({
        kind,
        deviceId: sc.deviceId,
        clientId: null,
        remoteAddress: FROM.remoteAddress,
      });
    };

    await refused(service.telemetry(caller, Buffer.from('{"a":')), 'bad-request', 'invalid-json');
    await refused(service.telemetry(caller, json('text')), 'bad-request', 'bad-telemetry');
    await refused(
      service.telemetry(caller, json({ a: 'x'.repeat(300) })),
      'too-large',
      'message-too-large',
    );
    await refused(service.clientAttributes(caller, json([1])), 'bad-request', 'bad-attributes');
    await refused(
      service.attributeQuery(caller, { clientKeys: 5 }),
      'bad-request',
      'bad-attribute-request',
    );
    await refused(
      service.chunkSize(caller, Buffer.from('abc'), 'size'),
      'bad-request',
      'bad-chunk-size',
    );
    await refused(
      service.chunkSize(caller, Buffer.from('524289'), 'size'),
      'too-large',
      'chunk-too-large',
    );
    await refused(
      await service.openDownload(caller, 'FIRMWARE', { version: '9.9.9' }),
      'mismatch',
      'package-mismatch',
    );
    await refused(await service.openDownload(caller, 'SOFTWARE'), 'not-found', 'nothing-assigned');

    for (let i = 0; i < 3; i++) expect(service.telemetry(caller, json({ t: i })).ok).toBe(true);
    await refused(service.telemetry(caller, json({ t: 4 })), 'rate-limited', 'rate-limit');

    expect(service.rpc(caller, json({ method: 'reboot' }))).toEqual({
      ok: true,
      value: { error: 'Unsupported RPC method: reboot' },
    });
    expect((await lastError())?.kind).toBe('unsupported-rpc');
    expect(service.rpc(caller, json({ method: 'getSessionLimits' }))).toMatchObject({
      ok: true,
      value: { maxPayloadSize: 512 * 1024, maxInflightMessages: 100 },
    });

    expect(service.authenticate('not-a-token', FROM)).toBeUndefined();
    expect(await lastError()).toMatchObject({
      kind: 'bad-token',
      message: 'Unknown access token "not-…"',
      deviceId: null,
      clientId: null,
    });
  });

  it('answers attribute queries with what MQTT answers', async () => {
    await start();
    const sc = await deviceWithFirmware(fx, { version: '1.0.1' });
    const caller = callerFor(sc);
    expect(service.clientAttributes(caller, json({ mode: 'eco' })).ok).toBe(true);
    const query = service.attributeQuery(caller, { clientKeys: 'mode', sharedKeys: 'fw_version' });
    if (!query.ok) throw new Error(query.message);
    expect(service.attributes(caller, query.value)).toEqual({
      ok: true,
      value: { client: { mode: 'eco' }, shared: { fw_version: '1.0.1' } },
    });
    expect(service.attributeRequest(caller, Buffer.alloc(0))).toMatchObject({
      ok: true,
      value: { client: { mode: 'eco' }, shared: { fw_title: 'CIM-168' } },
    });
  });

  it('marks a corrupt binary and never serves it', async () => {
    await start();
    const sc = await deviceWithFirmware(fx);
    const pkg = (await fx.station.api['packages.list']({})).find((p) => p.id === sc.packageId);
    const file = path.join(fx.dataDir, 'packages', 'blobs', pkg?.sha256 ?? '?');
    const bytes = fs.readFileSync(file);
    bytes[10] = (bytes[10] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);
    const caller = callerFor(sc);
    expect(await service.openDownload(caller, 'FIRMWARE')).toMatchObject({
      ok: false,
      refusal: 'unavailable',
    });
    expect((await lastError())?.kind).toBe('corrupt-package');
    const after = (await fx.station.api['packages.list']({})).find((p) => p.id === sc.packageId);
    expect(after?.status).toBe('CORRUPT');
  });

  it('lists a connection of any transport, pushes shared attributes to it, takes it over', async () => {
    await start();
    const profileId = (await fx.profile('CIM-168')).id;
    const device = await fx.device('CIM-168-02-22-90', profileId);
    const other = await fx.device('CIM-168-02-22-91', profileId);
    const identity = service.authenticate(device.accessToken, FROM)!;
    const held = new HeldConnection(identity);
    const bystander = new HeldConnection(service.authenticate(other.accessToken, FROM)!);
    service.connected(held);
    service.connected(bystander);

    expect(await fx.station.api['station.sessions']({})).toContainEqual(
      expect.objectContaining({
        id: held.id,
        deviceId: device.id,
        clientId: 'http-long-poll',
        transport: 'http',
        protocolVersion: null,
        protocolLabel: 'HTTP/1.1',
      }),
    );
    expect((await fx.station.api['devices.get']({ id: device.id })).online).toBe(true);

    const pkg = await fx.packageFrom(Buffer.alloc(4321, 7), { profileId, version: '1.0.1' });
    await fx.station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });
    await waitFor(() => held.pushed.length >= 2);
    expect(held.pushed[0]).toBe('{"deleted":["fw_url"]}');
    expect(JSON.parse(held.pushed[1] ?? '{}')).toMatchObject({ fw_version: '1.0.1' });
    expect(bystander.pushed).toEqual([]);

    const again = new HeldConnection(identity);
    service.connected(again);
    expect(held.closed).toEqual(['taken-over']);
    service.disconnected(held);
    expect((await fx.station.api['devices.get']({ id: device.id })).online).toBe(true);
    service.disconnected(again);
    expect((await fx.station.api['devices.get']({ id: device.id })).online).toBe(false);
  });
});
