/**
 * The simulator's wire output seen by the real mosquitto tools, over MQTT 5 and 3.1.1
 * (aedes, the baseline, speaks 3.1.1 only). mosquitto routes instead of answering, so the
 * devices never get an assignment: they do Part I and wait until the run times out.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import { freeLocalPort } from '../support/free-port';

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
});

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Nothing listens on ${port}`);
}

async function startMosquitto(): Promise<number> {
  const port = await freeLocalPort();
  // Without a config file mosquitto 2 listens on localhost only and allows anonymous clients.
  const broker = spawn('mosquitto', ['-p', String(port)], { stdio: 'ignore' });
  children.push(broker);
  await waitForPort(port);
  return port;
}

const PROBE_TOPIC = 'v1/devices/me/probe';

/** mosquitto_sub printing `topic payload` lines; resolves once it provably receives. */
async function subscribe(port: number, version: 'mqttv5' | 'mqttv311'): Promise<() => string[]> {
  const sub = spawn('mosquitto_sub', [
    '-p',
    String(port),
    '-V',
    version,
    '-t',
    'v1/devices/me/#',
    '-v',
  ]);
  children.push(sub);
  let output = '';
  sub.stdout.on('data', (data: Buffer) => (output += data.toString('utf8')));
  // mosquitto_sub says nothing once subscribed: publish probes until one comes through.
  for (let attempt = 0; !output.includes(PROBE_TOPIC); attempt++) {
    if (attempt === 50) throw new Error('mosquitto_sub never received a probe');
    await new Promise((resolve) => {
      spawn('mosquitto_pub', ['-p', String(port), '-t', PROBE_TOPIC, '-m', 'probe']).on(
        'exit',
        resolve,
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return () =>
    output.split('\n').filter((line) => line.length > 0 && !line.startsWith(PROBE_TOPIC));
}

describe.each([
  [5, 'mqttv5'],
  [4, 'mqttv311'],
] as const)('simulator over MQTT protocol %i against mosquitto', (protocolVersion, subVersion) => {
  it('sends Part I exactly as the seed writes it, then waits', async () => {
    const port = await startMosquitto();
    const lines = await subscribe(port, subVersion);
    const summary = await runSimulation({
      url: `mqtt://127.0.0.1:${port}`,
      tokens: ['tok-1'],
      protocolVersion,
      packageTypes: ['FIRMWARE'],
      installed: { fwVersion: '0.9.0' },
      timeoutMs: 1_500,
    });
    expect(summary.devices[0]).toMatchObject({
      state: 'TIMEOUT',
      currentFwVersion: '0.9.0',
      bytes: 0,
    });
    expect(summary.devices[0]?.error).toMatch(/was WAITING/);
    expect(lines()).toEqual([
      'v1/devices/me/telemetry {"current_fw_title":"CIM-168","current_fw_version":"0.9.0"}',
      'v1/devices/me/attributes/request/1 {"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm"}',
    ]);
  });

  it('silent devices only connect and report their versions', async () => {
    const port = await startMosquitto();
    const lines = await subscribe(port, subVersion);
    const summary = await runSimulation({
      url: `mqtt://127.0.0.1:${port}`,
      count: 3,
      tokenPrefix: 'quiet-',
      protocolVersion,
      silent: true,
      timeoutMs: 5_000,
    });
    expect(summary.totals).toMatchObject({ devices: 3, connected: 3 });
    const received = lines();
    expect(received).toHaveLength(6);
    expect(received.filter((l) => l.includes('current_fw_version'))).toHaveLength(3);
    expect(received.filter((l) => l.includes('current_sw_version'))).toHaveLength(3);
    expect(received.every((l) => l.startsWith('v1/devices/me/telemetry {'))).toBe(true);
  });
});
