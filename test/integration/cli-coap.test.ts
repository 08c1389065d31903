import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Device } from '../../shared/api/entities';
import { packageAddArgs, stationArgs } from '../support/cli-args';
import { PROCESS_TEST_TIMEOUT_MS, run, runJson } from '../support/cli-process';
import { cliStation } from '../support/cli-station';

// `field-ota station --coap-port` and `field-ota simulate --transport coap`, as run by hand.
describe('field-ota and CoAP', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  const cli = cliStation('field-ota-cli-coap-', () => ({ coap: 0 }));

  it('prints where devices reach the CoAP device API', () => {
    const { station } = cli();
    expect(station.coapUrl).toMatch(/^coap:\/\/127\.0\.0\.1:\d+$/);
    expect(station.stdout).toContain(`CoAP device API: ${station.coapUrl}`);
  });

  it('updates a simulated device over CoAP', async () => {
    const { station, tempDir } = cli();
    const { env } = station;
    await runJson(['profile', 'add', 'CIM-168'], env);
    const device = await runJson<Device>(
      ['device', 'add', '--name', 'CIM-168-02-22-90', '--profile', 'CIM-168'],
      env,
    );
    const firmware = randomBytes(50_000);
    const file = path.join(tempDir, 'fw.bin');
    await writeFile(file, firmware);
    await runJson(packageAddArgs({ file, version: '1.0.2' }), env);
    await runJson(['assign', '--device', 'CIM-168-02-22-90', '--package', 'CIM-168@1.0.2'], env);
    const sim = await run(
      [
        'simulate',
        '--transport',
        'coap',
        '--url',
        station.coapUrl,
        '--tokens',
        device.accessToken,
        '--timeout',
        '40',
        '--json',
      ],
      env,
    );
    expect(sim.stderr).toBe('');
    expect(sim.code).toBe(0);
    const summary = JSON.parse(sim.stdout) as { devices: { state: string; bytes: number }[] };
    expect(summary.devices).toEqual([
      expect.objectContaining({ state: 'UPDATED', bytes: firmware.length }),
    ]);
    const [after] = await runJson<Device[]>(['devices'], env);
    expect(after?.firmware).toMatchObject({ state: 'UPDATED', currentVersion: '1.0.2' });
  });

  it('refuses a CoAP port in use with a clear message', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', () => resolve()));
    const { port } = taken.address();
    try {
      const busy = await run(stationArgs(path.join(cli().tempDir, 'busy'), { coap: port }));
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`CoAP port 127.0.0.1:${port} is already in use`);
      expect(busy.stderr).toContain('--coap-port');
    } finally {
      taken.close();
    }
  });
});
