import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { curl, curlToFile, httpDeviceBase } from '../support/curl';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { deviceWithFirmware, protocolErrors, type Scenario } from './device-api-helpers';

// docs/device-protocol.md#http-ota-download: GET /api/v1/{token}/firmware, chunked or whole,
// resumable with Range; ThingsBoard's codes for what is wrong.
describe('OTA download over HTTP, with curl', () => {
  const SIZE = 200_000;
  let fx: StationFixture;
  let sc: Scenario;
  let dir: string;
  let firmware: string;

  beforeEach(async () => {
    fx = await startStationFixture();
    sc = await deviceWithFirmware(fx, { size: SIZE, version: '1.0.1' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-http-ota-'));
    firmware = `${httpDeviceBase(fx.station)}/api/v1/${sc.token}/firmware`;
  });
  afterEach(async () => {
    await fx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (query: string, extra: string[] = []) => curl([...extra, `${firmware}?${query}`]);
  const executionOf = async () =>
    (await fx.station.api['devices.get']({ id: sc.deviceId })).firmware;

  it('serves chunks [size*n, size*n+size), short at the end, empty past it', async () => {
    const first = await get('title=CIM-168&version=1.0.1&size=65536&chunk=0');
    expect(first.status).toBe(200);
    expect(first.body.equals(sc.firmware.subarray(0, 65536))).toBe(true);
    expect(first.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': '65536',
      'content-disposition': 'attachment;filename=fw.bin',
      'x-filename': 'fw.bin',
    });
    const last = await get('title=CIM-168&version=1.0.1&size=65536&chunk=3');
    expect(last.body.equals(sc.firmware.subarray(196_608))).toBe(true);
    const past = await get('title=CIM-168&version=1.0.1&size=65536&chunk=4');
    expect(past.status).toBe(200);
    expect(past.headers['content-length']).toBe('0');
    expect(past.body.length).toBe(0);
    // Any order, again: chunk 1 twice.
    const again = await get('title=CIM-168&version=1.0.1&size=65536&chunk=1');
    expect(again.body.equals(sc.firmware.subarray(65536, 131072))).toBe(true);
    await waitFor(async () => (await executionOf()).bytesServed === SIZE);
  });

  it('serves the whole file without a size, and counts it as served', async () => {
    const whole = await get('title=CIM-168&version=1.0.1');
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(sc.firmware)).toBe(true);
    await waitFor(async () => (await executionOf()).bytesServed === SIZE);
  });

  it('answers a Range with 206 and Content-Range, and 416 beyond the end', async () => {
    const part = await get('title=CIM-168&version=1.0.1', ['-r', '100-199']);
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${SIZE}`);
    expect(part.body.equals(sc.firmware.subarray(100, 200))).toBe(true);
    const tail = await get('title=CIM-168&version=1.0.1', ['-r', '-1000']);
    expect(tail.body.equals(sc.firmware.subarray(SIZE - 1000))).toBe(true);
    const beyond = await get('title=CIM-168&version=1.0.1', ['-r', `${SIZE}-`]);
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${SIZE}`);
  });

  it('resumes an interrupted download with curl -C -, byte for byte', async () => {
    const file = path.join(dir, 'fw.bin');
    fs.writeFileSync(file, sc.firmware.subarray(0, 77_777));
    const resumed = await curlToFile(file, ['-C', '-', `${firmware}?title=CIM-168&version=1.0.1`]);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.status).toBe(206);
    expect(fs.readFileSync(file).equals(sc.firmware)).toBe(true);
    // Progress counts the whole file: the device already had the start.
    await waitFor(async () => (await executionOf()).bytesServed === SIZE);
  });

  it("answers what is wrong with ThingsBoard's codes, each recorded with the device", async () => {
    const cases: [string, number][] = [
      ['title=OTHER&version=1.0.1', 400],
      ['title=CIM-168&version=9.9.9', 400],
      ['title=CIM-168', 400],
      ['version=1.0.1', 400],
      ['title=CIM-168&version=1.0.1&size=abc', 400],
      ['title=CIM-168&version=1.0.1&size=1024&chunk=1.5', 400],
      ['title=CIM-168&version=1.0.1&size=99999999999', 400],
      ['title=CIM-168&version=1.0.1&size=1024&chunk=-1', 400],
      [`title=CIM-168&version=1.0.1&size=${1024 * 1024}`, 413],
    ];
    for (const [query, status] of cases) expect((await get(query)).status, query).toBe(status);
    // A title/version mismatch is empty, as ThingsBoard's.
    expect((await get('title=OTHER&version=1.0.1')).body.length).toBe(0);
    const software = `${httpDeviceBase(fx.station)}/api/v1/${sc.token}/software?title=a&version=b`;
    const nothing = await curl([software]);
    expect(nothing.status).toBe(404);
    expect(nothing.body.length).toBe(0);
    const stranger = await curl([
      `${httpDeviceBase(fx.station)}/api/v1/NOTATOKEN/firmware?title=CIM-168&version=1.0.1`,
    ]);
    expect(stranger.status).toBe(401);
    const mine = (await protocolErrors(fx)).filter((e) => e.deviceId === sc.deviceId);
    expect(mine.length).toBeGreaterThanOrEqual(cases.length + 1);
  });
});
