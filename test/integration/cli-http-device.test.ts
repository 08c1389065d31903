import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import type { Device } from '../../shared/api/entities';
import { packageAddArgs, stationArgs } from '../support/cli-args';
import { PROCESS_TEST_TIMEOUT_MS, run, runJson } from '../support/cli-process';
import { cliStation } from '../support/cli-station';
import { curl } from '../support/curl';
import { freeLocalPort, occupiedLocalPort } from '../support/free-port';

// `field-ota station --http-device-port` and `field-ota simulate --transport http`: the HTTP
// device API from the command line, as a technician starts it and as devices use it.
describe('the HTTP device API from the command line', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let devicePort: number;
  let env: Record<string, string>;
  const firmware = randomBytes(200_000);
  const cli = cliStation('field-ota-cli-http-', async () => {
    devicePort = await freeLocalPort();
    return { httpDevice: devicePort };
  });

  beforeAll(async () => {
    const { station, tempDir } = cli();
    env = station.env;
    const file = path.join(tempDir, 'fw.bin');
    await writeFile(file, firmware);
    await runJson(['profile', 'add', 'CIM-168'], env);
    for (const [name, token] of [
      ['CIM-168-02-22-90', 'HTTPTOKEN90'],
      ['CIM-168-02-22-91', 'HTTPTOKEN91'],
      ['CIM-168-02-22-92', 'HTTPTOKEN92'],
    ] as const)
      await runJson(
        ['device', 'add', '--name', name, '--profile', 'CIM-168', '--token', token],
        env,
      );
    await runJson(packageAddArgs({ file }), env);
    for (const name of ['CIM-168-02-22-90', 'CIM-168-02-22-91', 'CIM-168-02-22-92'])
      await runJson(['assign', '--device', name, '--package', 'CIM-168@1.0.1'], env);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('listens where it was told, and says so', async () => {
    expect(cli().station.httpDeviceUrl).toBe(`http://127.0.0.1:${devicePort}`);
    const stranger = await curl([`http://127.0.0.1:${devicePort}/api/v1/NOSUCHTOKEN/attributes`]);
    expect(stranger.status).toBe(401);
  });

  it('simulates devices over HTTP: an update, a dropped connection resumed, a failed verify', async () => {
    const base = ['simulate', '--transport', 'http', '--url', cli().station.httpDeviceUrl];
    const updated = await run(
      [...base, '--tokens', 'HTTPTOKEN90', '--chunk-size', '16384', '--timeout', '40', '--json'],
      env,
    );
    expect(updated.stderr).toBe('');
    expect(updated.code).toBe(0);
    const summary = JSON.parse(updated.stdout) as { devices: { state: string; bytes: number }[] };
    expect(summary.devices).toEqual([
      expect.objectContaining({ state: 'UPDATED', bytes: firmware.length }),
    ]);

    const dropped = await run(
      [...base, '--tokens', 'HTTPTOKEN91', '--chunk-size', '16384', '--drop-at-chunk', '3'].concat([
        '--timeout',
        '40',
        '--json',
      ]),
      env,
    );
    expect(dropped.code).toBe(0);
    const resumed = JSON.parse(dropped.stdout) as {
      devices: { state: string; reconnects: number }[];
    };
    expect(resumed.devices[0]).toMatchObject({ state: 'UPDATED', reconnects: 1 });

    const failed = await run(
      [...base, '--tokens', 'HTTPTOKEN92', '--fail-verify', '--timeout', '40'],
      env,
    );
    expect(failed.code).toBe(0);
    expect(failed.stdout).toMatch(/failed: 1/);

    const devices = await runJson<Device[]>(['devices'], env);
    const byName = new Map(devices.map((d) => [d.name, d]));
    expect(byName.get('CIM-168-02-22-90')).toMatchObject({
      lastTransport: 'http',
      firmware: { state: 'UPDATED', currentVersion: '1.0.1' },
    });
    expect(byName.get('CIM-168-02-22-92')?.firmware.state).toBe('FAILED');

    const stranger = await run([...base, '--tokens', 'NOSUCHTOKEN', '--timeout', '20'], env);
    expect(stranger.code).toBe(1);
    expect(stranger.stdout).toContain('401');
  });

  it('refuses a device HTTP port in use with a clear message and exit 1', async () => {
    const { port, close } = await occupiedLocalPort();
    try {
      const result = await run(stationArgs(path.join(cli().tempDir, 'busy'), { httpDevice: port }));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`HTTP device API port 127.0.0.1:${port} is already in use`);
      expect(result.stderr).toContain('--http-device-port');
    } finally {
      await close();
    }
  });
});
