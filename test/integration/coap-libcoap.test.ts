import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { coapClient } from '../support/coap-clients';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, deviceWithFirmware, type Scenario, telemetryHistory } from './device-api-helpers';

// Debian's libcoap (coap-client-notls, package libcoap3-bin) against the station: a client
// nobody here wrote, doing its own Block2 and Observe.
describe('CoAP with libcoap coap-client', () => {
  let fx: StationFixture;
  let sc: Scenario;
  let base: string;
  let dir: string;

  beforeEach(async () => {
    fx = await startStationFixture({ coapPort: 0 });
    sc = await deviceWithFirmware(fx, { size: 50_000, version: '1.0.1', seed: 7 });
    base = `coap://127.0.0.1:${fx.station.coapAddress().port}`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coap-client-'));
  });
  afterEach(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await fx.close();
  });

  it.each([64, 512, 1024])('downloads the image with -b %i, byte for byte', async (size) => {
    const out = path.join(dir, `fw-${size}.bin`);
    const run = await coapClient([
      '-m',
      'get',
      '-B',
      '20',
      '-b',
      String(size),
      '-o',
      out,
      `${base}/fw/${sc.token}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(fs.readFileSync(out).equals(sc.firmware)).toBe(true);
    // One request per block of the size it asked for: the station honoured it.
    expect(fx.station.coapStats().requests).toBeGreaterThanOrEqual(Math.ceil(50_000 / size));
  });

  it('downloads a size/chunk slice and uses the documented /api/v1/{token}/firmware path', async () => {
    const slice = path.join(dir, 'slice.bin');
    const query = 'title=CIM-168&version=1.0.1&size=4096&chunk=3';
    const run = await coapClient([
      '-m',
      'get',
      '-B',
      '20',
      '-b',
      '512',
      '-o',
      slice,
      `${base}/fw/${sc.token}?${query}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(fs.readFileSync(slice).equals(sc.firmware.subarray(3 * 4096, 4 * 4096))).toBe(true);
    const whole = path.join(dir, 'whole.bin');
    const documented = await coapClient([
      '-m',
      'get',
      '-B',
      '20',
      '-o',
      whole,
      `${base}/api/v1/${sc.token}/firmware?title=CIM-168&version=1.0.1`,
    ]);
    expect(documented.code, documented.stderr).toBe(0);
    expect(fs.readFileSync(whole).equals(sc.firmware)).toBe(true);
  });

  it('lists the resources at /.well-known/core', async () => {
    const run = await coapClient(['-m', 'get', '-B', '10', `${base}/.well-known/core`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('</fw>');
    expect(run.stdout).toContain('</api/v1>');
  });

  it('posts telemetry that moves the execution', async () => {
    const run = await coapClient([
      '-m',
      'post',
      '-B',
      '10',
      '-e',
      '{"fw_state":"DOWNLOADING","rssi":-61}',
      `${base}/api/v1/${sc.token}/telemetry`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(telemetryHistory(fx, sc.deviceId, 'rssi').map((p) => p.value)).toEqual([-61]);
    await waitFor(async () => {
      const [execution] = await fx.station.api['executions.list']({
        deviceId: sc.deviceId,
        limit: 1,
      });
      return execution?.state === 'DOWNLOADING';
    });
  });

  it('observes the attributes with -s: the snapshot, then the change pushed', async () => {
    const observing = coapClient(
      ['-m', 'get', '-s', '4', '-w', '-B', '6', `${base}/api/v1/${sc.token}/attributes`],
      20_000,
    );
    await waitFor(async () => (await fx.station.api['station.sessions']({})).length === 1, {
      timeoutMs: 5000,
    });
    const next = await fx.packageFrom(binary(7000, 3), {
      profileId: sc.profileId,
      version: '1.0.2',
    });
    await fx.station.api['assignments.assign']({ deviceId: sc.deviceId, packageId: next.id });
    const run = await observing;
    const lines = run.stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(JSON.parse(lines[0]!)).toMatchObject({ fw_version: '1.0.1', fw_size: 50_000 });
    expect(
      lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>),
    ).toContainEqual(expect.objectContaining({ fw_version: '1.0.2', fw_size: 7000 }));
  });
});
