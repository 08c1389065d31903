import { spawn } from 'node:child_process';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { binary, sha256 } from './device-api-helpers';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a mosquitto client tool with a hard deadline; resolves with its exit and output. */
function run(
  tool: 'mosquitto_pub' | 'mosquitto_sub',
  args: string[],
  onStdout?: (text: string) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    // Line-buffered: into a pipe, the debug line saying SUBACK would otherwise only come at exit.
    const child = spawn('stdbuf', ['-oL', tool, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      onStdout?.(stdout);
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// The Debian mosquitto clients, a device-side implementation that shares no code with MQTT.js.
describe.each(['mqttv311', 'mqttv5'] as const)('mosquitto clients over %s', (protocol) => {
  let fx: StationFixture;
  let common: string[];

  beforeEach(async () => {
    fx = await startStationFixture();
    common = ['-h', '127.0.0.1', '-p', String(fx.station.mqttAddress().port), '-V', protocol];
  });
  afterEach(async () => {
    await fx.close();
  });

  it('mosquitto_pub telemetry updates the device', async () => {
    const profile = await fx.profile('CIM-168');
    const device = await fx.device('CIM-168-02-22-90', profile.id);
    const result = await run('mosquitto_pub', [
      ...common,
      '-u',
      device.accessToken,
      '-q',
      '1',
      '-t',
      'v1/devices/me/telemetry',
      '-m',
      '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0","temperature":21.5}',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const detail = await fx.station.api['devices.get']({ id: device.id });
    expect(detail.firmware).toMatchObject({ currentTitle: 'CIM-168', currentVersion: '1.0.0' });
    expect(detail.latestTelemetry.find((t) => t.key === 'temperature')?.value).toBe(21.5);
  });

  it('mosquitto_pub with a bad token is refused', async () => {
    const result = await run('mosquitto_pub', [
      ...common,
      '-u',
      'NOT_A_TOKEN',
      '-t',
      'v1/devices/me/telemetry',
      '-m',
      '{"x":1}',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      protocol === 'mqttv5' ? /bad user ?name or password/i : /not authori[sz]ed/i,
    );
    const errors = await fx.station.api['station.protocolErrors']({ limit: 10 });
    expect(errors.some((e) => e.kind === 'bad-token')).toBe(true);
  });

  it('mosquitto_sub on v1/devices/me/attributes receives the assignment push', async () => {
    const profile = await fx.profile('CIM-168');
    const device = await fx.device('CIM-168-02-22-90', profile.id);
    const firmware = binary(2048);
    const pkg = await fx.packageFrom(firmware, { profileId: profile.id, version: '1.0.1' });
    let subscribed = false;
    const sub = run(
      'mosquitto_sub',
      [...common, '-u', device.accessToken, '-t', 'v1/devices/me/attributes', '-q', '1'].concat([
        '-C',
        '2',
        '-W',
        '10',
        '-d',
      ]),
      (stdout) => (subscribed ||= /received SUBACK/.test(stdout)),
    );
    await waitFor(() => subscribed, { timeoutMs: 10_000 });
    await fx.station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });
    const result = await sub;
    expect(result.code).toBe(0);
    // -d interleaves debug lines ("Client ...", "Subscribed ..."); the rest are the payloads.
    const payloads = result.stdout
      .split('\n')
      .filter((line) => line.length > 0 && !/^(Client |Subscribed )/.test(line));
    expect(payloads).toHaveLength(2);
    expect(payloads[0]).toBe('{"deleted":["fw_url"]}');
    expect(JSON.parse(payloads[1] ?? '')).toEqual({
      fw_title: 'CIM-168',
      fw_version: '1.0.1',
      fw_tag: 'CIM-168 1.0.1',
      fw_ts: expect.any(Number),
      fw_size: 2048,
      fw_checksum_algorithm: 'SHA256',
      fw_checksum: sha256(firmware),
    });
  });
});
