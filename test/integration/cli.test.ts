import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Device, Execution, Package, Profile } from '../../shared/api/entities';
import { packageAddArgs, stationArgs } from '../support/cli-args';
import {
  BIN,
  ensureBuilt,
  PROCESS_TEST_TIMEOUT_MS,
  ROOT,
  run,
  runJson,
  type RunningStation,
  startStationProcess,
  stopStation,
} from '../support/cli-process';
import { freeLocalPort, occupiedLocalPort } from '../support/free-port';

let tempDir: string;
const running: RunningStation[] = [];

beforeAll(async () => {
  await ensureBuilt();
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'field-ota-cli-'));
}, PROCESS_TEST_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(running.map((station) => stopStation(station)));
  await rm(tempDir, { recursive: true, force: true });
});

describe('field-ota against a running station', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  let station: RunningStation;
  let env: Record<string, string>;
  let firmwarePath: string;
  let firmware: Buffer;

  beforeAll(async () => {
    station = await startStationProcess(stationArgs(path.join(tempDir, 'data')));
    running.push(station);
    env = station.env;
    firmware = randomBytes(300_000);
    firmwarePath = path.join(tempDir, 'CIM-168-1.0.1.bin');
    await writeFile(firmwarePath, firmware);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('prints one ready line with the addresses it listens on', () => {
    expect(station.readyLine).toMatch(
      /^ServicePleX Field OTA station ready: mqtt:\/\/127\.0\.0\.1:\d+ http:\/\/127\.0\.0\.1:\d+ data=/,
    );
    expect(station.readyLine).toContain(`data=${path.join(tempDir, 'data')}`);
  });

  it('runs the seed flow: profile, device, package, assign, devices', async () => {
    const profile = await runJson<Profile>(
      ['profile', 'add', 'CIM-168', '--description', 'Field CIMs'],
      env,
    );
    expect(profile).toMatchObject({ name: 'CIM-168', description: 'Field CIMs' });
    expect(profile.id).toBeTruthy();

    const device = await runJson<Device>(
      ['device', 'add', '--name', 'CIM-168-02-22-90', '--profile', 'CIM-168'],
      env,
    );
    expect(device).toMatchObject({ name: 'CIM-168-02-22-90', profileId: profile.id });
    expect(device.accessToken).toMatch(/^[\x21-\x7e]+$/);

    const pkg = await runJson<Package>(packageAddArgs({ file: firmwarePath }), env);
    expect(pkg).toMatchObject({
      title: 'CIM-168',
      version: '1.0.1',
      type: 'FIRMWARE',
      size: firmware.length,
      fileName: 'CIM-168-1.0.1.bin',
      checksumAlgorithm: 'SHA256',
    });
    expect(pkg.checksum).toBe(createHash('sha256').update(firmware).digest('hex'));

    const execution = await runJson<Execution>(
      ['assign', '--device', 'CIM-168-02-22-90', '--package', 'CIM-168@1.0.1'],
      env,
    );
    expect(execution).toMatchObject({
      deviceId: device.id,
      packageId: pkg.id,
      state: 'INITIATED',
      type: 'FIRMWARE',
    });

    const devices = await runJson<Device[]>(['devices'], env);
    expect(devices).toHaveLength(1);
    expect(devices[0]?.firmware).toMatchObject({
      assignedPackageId: pkg.id,
      assignedVersion: '1.0.1',
      state: 'INITIATED',
    });

    const table = await run(['devices'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+PROFILE\s+ONLINE/);
    expect(table.stdout).toMatch(
      /CIM-168-02-22-90\s+CIM-168\s+no\s+.*CIM-168@1\.0\.1\s+INITIATED\s+5%/,
    );

    const listed = await runJson<Package[]>(['package', 'list'], env);
    expect(listed.map((p) => p.id)).toEqual([pkg.id]);
    const profiles = await runJson<Profile[]>(['profile', 'list'], env);
    expect(profiles.map((p) => p.id)).toEqual([profile.id]);
  });

  it('lets a simulated device update over MQTT and reports it', async () => {
    const [device] = await runJson<Device[]>(['devices'], env);
    expect(device).toBeDefined();
    const sim = await run(
      [
        'simulate',
        '--url',
        station.mqttUrl,
        '--tokens',
        device?.accessToken ?? '',
        '--timeout',
        '40',
        '--chunk-size',
        '16384',
        '--json',
      ],
      env,
    );
    expect(sim.stderr).toBe('');
    expect(sim.code).toBe(0);
    const summary = JSON.parse(sim.stdout) as {
      devices: { token: string; state: string; bytes: number }[];
    };
    expect(summary.devices).toEqual([
      expect.objectContaining({
        token: device?.accessToken,
        state: 'UPDATED',
        bytes: firmware.length,
      }),
    ]);

    const [after] = await runJson<Device[]>(['devices'], env);
    expect(after?.firmware).toMatchObject({ state: 'UPDATED', currentVersion: '1.0.1' });
  });

  it('shows a device-reported firmware title with its escape sequences escaped, not obeyed', async () => {
    await runJson<Device>(
      ['device', 'add', '--name', 'CIM-168-ESC', '--profile', 'CIM-168', '--token', 'esc-token'],
      env,
    );
    // Clear the screen, home the cursor, and draw a row of its own, as a hostile device tried.
    const title = '\u001b[2J\u001b[H\rFORGED-ROW  CIM-168  yes\n\u009b31m';
    const device = await mqtt.connectAsync(station.mqttUrl, {
      username: 'esc-token',
      reconnectPeriod: 0,
    });
    try {
      await device.publishAsync(
        'v1/devices/me/telemetry',
        JSON.stringify({ current_fw_title: title, current_fw_version: '1.0.0' }),
        { qos: 1 },
      );
    } finally {
      await device.endAsync();
    }
    const listed = await runJson<Device[]>(['devices'], env);
    expect(listed.find((d) => d.name === 'CIM-168-ESC')?.firmware.currentTitle).toBe(title);

    const table = await run(['devices'], env);
    expect(table.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- looking for the raw control characters
    expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table.stdout.split('\n').some((line) => line.startsWith('FORGED-ROW'))).toBe(false);
    expect(table.stdout).toContain('\\x1b[2J\\x1b[H\\rFORGED-ROW  CIM-168  yes\\n\\x9b31m 1.0.0');
  });

  it('exits 1 when simulated devices do not end as expected', async () => {
    // Nothing is assigned to this device's token: it never updates and times out.
    await runJson(
      ['device', 'add', '--name', 'idle', '--profile', 'CIM-168', '--token', 'idle-token'],
      env,
    );
    const sim = await run(
      ['simulate', '--url', station.mqttUrl, '--tokens', 'idle-token', '--timeout', '2'],
      env,
    );
    expect(sim.code).toBe(1);
    expect(sim.stdout).toMatch(/Devices: 1 +updated: 0/);
    expect(sim.stderr).toContain('1 of 1 devices did not end UPDATED');

    const silent = await run(
      [
        'simulate',
        '--url',
        station.mqttUrl,
        '--tokens',
        'idle-token',
        '--silent',
        '--timeout',
        '20',
        '--json',
      ],
      env,
    );
    expect(silent.code).toBe(0);
  });

  it('unassigns and deletes with names, not ids', async () => {
    const unassigned = await runJson<{ deviceId: string; type: string }>(
      ['unassign', '--device', 'CIM-168-02-22-90'],
      env,
    );
    expect(unassigned.type).toBe('FIRMWARE');
    const [device] = (await runJson<Device[]>(['devices'], env)).filter(
      (d) => d.name === 'CIM-168-02-22-90',
    );
    expect(device?.firmware.assignedPackageId).toBeNull();

    const pkg = await runJson<Package>(
      packageAddArgs({ title: 'TEMP', version: '9', type: 'software', file: firmwarePath }),
      env,
    );
    const deleted = await runJson<{ id: string }>(['package', 'delete', 'TEMP@9'], env);
    expect(deleted.id).toBe(pkg.id);
    expect((await runJson<Package[]>(['package', 'list'], env)).map((p) => p.title)).not.toContain(
      'TEMP',
    );
  });

  it('fails clearly on an unknown profile, a duplicate package, a missing file and bad options', async () => {
    const unknownProfile = await run(
      ['device', 'add', '--name', 'X-1', '--profile', 'NO-SUCH-PROFILE'],
      env,
    );
    expect(unknownProfile.code).toBe(1);
    expect(unknownProfile.stderr).toContain('Unknown device profile "NO-SUCH-PROFILE"');
    expect(unknownProfile.stdout).toBe('');

    const duplicate = await run([...packageAddArgs({ file: firmwarePath }), '--json'], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);
    expect(duplicate.stdout).toBe('');

    const missing = await run(
      packageAddArgs({ title: 'N', version: '1', file: path.join(tempDir, 'nope.bin') }),
      env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`File not found: ${path.join(tempDir, 'nope.bin')}`);

    const badChecksum = await run(
      [
        ...packageAddArgs({ title: 'N', version: '2', file: firmwarePath }),
        '--checksum',
        '0'.repeat(64),
      ],
      env,
    );
    expect(badChecksum.code).toBe(1);
    expect(badChecksum.stderr).toMatch(/checksum/i);

    const unknownDevice = await run(
      ['assign', '--device', 'ghost', '--package', 'CIM-168@1.0.1'],
      env,
    );
    expect(unknownDevice.code).toBe(1);
    expect(unknownDevice.stderr).toContain('Unknown device "ghost"');

    const badType = await run(
      packageAddArgs({ title: 'N', version: '3', type: 'BOOTLOADER', file: firmwarePath }),
      env,
    );
    expect(badType.code).toBe(1);
    expect(badType.stderr).toContain('expected one of FIRMWARE, SOFTWARE');

    expect(
      (await runJson<Package[]>(['package', 'list'], env)).map((p) => `${p.title}@${p.version}`),
    ).toEqual(['CIM-168@1.0.1']);
  });

  it('says which station is unreachable', async () => {
    const port = await freeLocalPort();
    const result = await run(['devices', '--station', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`The station at http://127.0.0.1:${port} is not reachable`);
  });

  it('shuts down cleanly on SIGTERM with exit code 0', async () => {
    station.child.kill('SIGTERM');
    const { code, signal } = await station.exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });
});

describe('field-ota station start-up', { timeout: PROCESS_TEST_TIMEOUT_MS }, () => {
  it('refuses a port in use with a clear message and exit 1', async () => {
    const taken = await occupiedLocalPort();
    try {
      const http = await run(stationArgs(path.join(tempDir, 'busy-http'), { http: taken.port }));
      expect(http.code).toBe(1);
      expect(http.stderr).toContain(`HTTP port 127.0.0.1:${taken.port} is already in use`);

      const mqtt = await run(stationArgs(path.join(tempDir, 'busy-mqtt'), { mqtt: taken.port }));
      expect(mqtt.code).toBe(1);
      expect(mqtt.stderr).toContain(`MQTT port 127.0.0.1:${taken.port} is already in use`);
    } finally {
      await taken.close();
    }
  });

  it('refuses an HTTP API beyond loopback without a token', async () => {
    // The MQTT port is taken too: should the token check ever regress, start-up still fails before HTTP binds 0.0.0.0.
    const taken = await occupiedLocalPort();
    try {
      const result = await run([
        ...stationArgs(path.join(tempDir, 'open'), { mqtt: taken.port }),
        '--http-host',
        '0.0.0.0',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('without an access token');
    } finally {
      await taken.close();
    }
  });

  it('requires its per-start secret even on 127.0.0.1; the CLI finds it in the data folder', async () => {
    const dataDir = path.join(tempDir, 'secret');
    const started = await startStationProcess(stationArgs(dataDir));
    running.push(started);
    // Another local account knows the port but not the secret.
    const bare = await fetch(`${started.httpUrl}/api/call/profiles.list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: { message: string } }).error.message).toContain(
      'field-ota CLI',
    );
    const secretFile = path.join(dataDir, 'http-secret');
    expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
    const secret = (await readFile(secretFile, 'utf8')).trim();
    expect(secret).toMatch(/^[\w-]{40,}$/);

    // The address to open carries it, as Jupyter's does.
    expect(started.stdout).toContain(`Open the UI: ${started.httpUrl}/?token=${secret}`);
    const withSecret = await fetch(`${started.httpUrl}/api/call/profiles.list`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
      body: '{}',
    });
    expect(withSecret.status).toBe(200);

    // The CLI reads the secret by itself from --data-dir or FIELD_OTA_DATA_DIR.
    expect(
      await runJson<Profile[]>([
        'profile',
        'list',
        '--station',
        started.httpUrl,
        '--data-dir',
        dataDir,
      ]),
    ).toEqual([]);
    expect(
      await runJson<Profile[]>(['profile', 'list'], {
        FIELD_OTA_STATION: started.httpUrl,
        FIELD_OTA_DATA_DIR: dataDir,
      }),
    ).toEqual([]);
    const elsewhere = await run([
      'profile',
      'list',
      '--station',
      started.httpUrl,
      '--data-dir',
      tempDir,
    ]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('--data-dir');

    // A new start, a new secret; a clean stop removes it.
    started.child.kill('SIGTERM');
    expect((await started.exited).code).toBe(0);
    await expect(stat(secretFile)).rejects.toThrow(/ENOENT/);
  });

  it('protects the API with --http-token', async () => {
    const guarded = await startStationProcess([
      ...stationArgs(path.join(tempDir, 'guarded')),
      '--http-token',
      'tok-123',
    ]);
    running.push(guarded);
    const refused = await run(['profile', 'list', '--station', guarded.httpUrl]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('requires an access token');
    expect(
      await runJson<Profile[]>([
        'profile',
        'list',
        '--station',
        guarded.httpUrl,
        '--token',
        'tok-123',
      ]),
    ).toEqual([]);
    expect(
      await runJson<Profile[]>(['profile', 'list', '--station', guarded.httpUrl], {
        FIELD_OTA_TOKEN: 'tok-123',
      }),
    ).toEqual([]);
    guarded.child.kill('SIGINT');
    expect((await guarded.exited).code).toBe(0);
  });

  it('npm start falls back to the headless station when Electron is not installed', async () => {
    const noElectron = path.join(tempDir, 'no-electron');
    await mkdir(noElectron, { recursive: true });
    const started = await startStationProcess(
      ['--data-dir', path.join(tempDir, 'start'), '--mqtt-port', '0', '--http-port', '0'],
      path.join(ROOT, 'scripts', 'start.js'),
      { ELECTRON_OVERRIDE_DIST_PATH: noElectron },
    );
    running.push(started);
    expect(started.stdout).toContain(
      'Electron binary not installed here: starting the headless station instead',
    );
    expect(await runJson<Profile[]>(['profile', 'list'], started.env)).toEqual([]);
    // SIGTERM to the launcher alone must reach the station it started.
    started.child.kill('SIGTERM');
    expect((await started.exited).code).toBe(0);
  });

  it.skipIf(process.platform === 'win32')(
    'npm start stops cleanly on a terminal Ctrl+C (SIGINT to the whole process group)',
    async () => {
      const noElectron = path.join(tempDir, 'no-electron-2');
      await mkdir(noElectron, { recursive: true });
      const started = await startStationProcess(
        ['--data-dir', path.join(tempDir, 'start-ctrl-c'), '--mqtt-port', '0', '--http-port', '0'],
        path.join(ROOT, 'scripts', 'start.js'),
        { ELECTRON_OVERRIDE_DIST_PATH: noElectron },
        true,
      );
      running.push(started);
      // What a terminal does on Ctrl+C: the signal goes to every process of the foreground group.
      process.kill(-(started.child.pid ?? 0), 'SIGINT');
      const { code, stderr } = await started.exited;
      expect(stderr).not.toContain('again');
      expect(code, `launcher stderr: ${stderr}`).toBe(0);
    },
  );

  it('tells how to build when dist/ is missing', async () => {
    const bare = path.join(tempDir, 'bare');
    await mkdir(path.join(bare, 'bin'), { recursive: true });
    await copyFile(BIN, path.join(bare, 'bin', 'field-ota.js'));
    const result = await run(['devices'], {}, path.join(bare, 'bin', 'field-ota.js'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run npm run build');
  });
});
