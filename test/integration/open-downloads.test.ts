import fs from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { StationOptions } from '../../electron/core/station';
import { coapRequest } from '../support/coap-clients';
import { httpDeviceBase } from '../support/curl';
import { statementsRunBy } from '../support/statement-probe';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, deviceWithFirmware, requestChunk, type Scenario } from './device-api-helpers';

const SIZE = 40_000;
const CHUNK = 4096;
const V1 = { title: 'CIM-168', version: '1.0.1' };
const V2 = { title: 'CIM-168', version: '1.0.2' };

// A device's download stays open between its chunk requests, whatever the transport, and is
// checked before each reuse: a change made between two chunks is what the next one gets.
describe('open downloads kept between chunk requests', () => {
  let fx: StationFixture;
  let sc: Scenario;
  afterEach(async () => {
    await fx.close();
  });

  const start = async (options: Partial<StationOptions> = {}) => {
    fx = await startStationFixture({ coapPort: 0, ...options });
    sc = await deviceWithFirmware(fx, { size: SIZE, version: V1.version });
  };

  /** One chunk over HTTP: the status and the body. */
  const httpChunk = async (
    token: string,
    chunk: number,
    wanted: Partial<typeof V1> = V1,
  ): Promise<{ status: number; body: Buffer }> => {
    const query = new URLSearchParams({ ...wanted, size: String(CHUNK), chunk: String(chunk) });
    const url = `${httpDeviceBase(fx.station)}/api/v1/${token}/firmware?${query}`;
    const res = await fetch(url);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };

  /** One chunk over CoAP (the coap client gathers its blocks): the code and the payload. */
  const coapChunk = (token: string, chunk: number, wanted: Partial<typeof V1> = V1) =>
    coapRequest({
      port: fx.station.coapAddress().port,
      pathname: `/fw/${token}`,
      query: new URLSearchParams({
        ...wanted,
        size: String(CHUNK),
        chunk: String(chunk),
      }).toString(),
    });

  const slice = (bytes: Buffer, chunk: number) =>
    bytes.subarray(chunk * CHUNK, (chunk + 1) * CHUNK);

  /** A second package for the device's profile, assigned to the device in place of the first. */
  const reassign = async (): Promise<Buffer> => {
    const next = binary(SIZE, 7);
    const pkg = await fx.packageFrom(next, { profileId: sc.profileId, version: V2.version });
    await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: pkg.id });
    return next;
  };

  it('serves the next HTTP chunks from the open download, without the package lookup', async () => {
    await start();
    expect((await httpChunk(sc.token, 0)).body).toEqual(slice(sc.firmware, 0));
    const bodies: Buffer[] = [];
    const statements = await statementsRunBy(async () => {
      for (let chunk = 1; chunk <= 3; chunk++) bodies.push((await httpChunk(sc.token, chunk)).body);
    });
    expect(bodies).toEqual([1, 2, 3].map((chunk) => slice(sc.firmware, chunk)));
    // The package row with its device count is what an open reads; a reuse does not.
    expect(statements.filter((sql) => sql.includes('assigned_devices'))).toEqual([]);
    expect(fx.station.deviceService.openDownloads).toBe(1);
  });

  it('refuses the old package over HTTP once another is assigned between chunks', async () => {
    await start();
    expect((await httpChunk(sc.token, 0)).status).toBe(200);
    const next = await reassign();
    expect((await httpChunk(sc.token, 1)).status).toBe(400);
    expect((await httpChunk(sc.token, 1, V2)).body).toEqual(slice(next, 1));
  });

  it('refuses the old package over CoAP at once when another is assigned between chunks', async () => {
    await start();
    expect((await coapChunk(sc.token, 0)).payload).toEqual(slice(sc.firmware, 0));
    const next = await reassign();
    expect((await coapChunk(sc.token, 1)).code).toBe('4.00');
    expect((await coapChunk(sc.token, 1, {})).payload).toEqual(slice(next, 1));
  });

  it('answers not found over HTTP and CoAP once the package is unassigned between chunks', async () => {
    await start();
    expect((await httpChunk(sc.token, 0)).status).toBe(200);
    expect((await coapChunk(sc.token, 0)).code).toBe('2.05');
    await fx.station.api['assignments.unassign']({ deviceId: sc.deviceId, type: 'FIRMWARE' });
    expect((await httpChunk(sc.token, 1)).status).toBe(404);
    expect((await coapChunk(sc.token, 1)).code).toBe('4.04');
  });

  it('opens afresh for a new MQTT request id after a reassignment', async () => {
    await start();
    const client = await fx.connect(sc.token);
    const chunk = (id: string, index: number) =>
      requestChunk(
        client,
        {
          requestTopic: `v2/fw/request/${id}/chunk/${index}`,
          responseTopic: `v2/fw/response/${id}/chunk/${index}`,
        },
        String(CHUNK),
      );
    expect((await chunk('1', 0)).payload).toEqual(slice(sc.firmware, 0));
    const next = await reassign();
    expect((await chunk('2', 1)).payload).toEqual(slice(next, 1));
  });

  it('does not serve a binary corrupted on disk between chunks', async () => {
    await start();
    expect((await httpChunk(sc.token, 0)).status).toBe(200);
    const pkg = (await fx.station.api['packages.list']({})).find((p) => p.id === sc.packageId);
    const file = path.join(fx.dataDir, 'packages', 'blobs', pkg?.sha256 ?? '?');
    const bytes = fs.readFileSync(file);
    bytes[CHUNK + 5] = (bytes[CHUNK + 5] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);
    expect((await httpChunk(sc.token, 1)).status).toBe(503);
    const listed = (await fx.station.api['packages.list']({})).find((p) => p.id === sc.packageId);
    expect(listed?.status).toBe('CORRUPT');
  });

  it('holds no more downloads than its bound', async () => {
    await start({ openDownloads: { max: 3 } });
    const others = [];
    for (let i = 0; i < 5; i++) {
      const version = `2.0.${i}`;
      const device = await deviceWithFirmware(fx, { size: SIZE, profileId: sc.profileId, version });
      others.push({ device, version });
    }
    const held: number[] = [];
    for (const { device, version } of [{ device: sc, version: V1.version }, ...others]) {
      const wanted = { title: V1.title, version };
      expect((await httpChunk(device.token, 0, wanted)).body).toEqual(slice(device.firmware, 0));
      held.push(fx.station.deviceService.openDownloads);
    }
    expect(held).toEqual([1, 2, 3, 3, 3, 3]);
  });

  it('lets a download go once no request used it for its idle time', async () => {
    await start({ openDownloads: { idleMs: 1000 } });
    expect((await httpChunk(sc.token, 0)).status).toBe(200);
    expect(fx.station.deviceService.openDownloads).toBe(1);
    await waitFor(() => fx.station.deviceService.openDownloads === 0);
  });
});
