/**
 * A connect storm: N devices with valid tokens connect at once, from one Node process sending
 * raw CONNECT packets, to the station and, in the same run, to Debian's mosquitto (anonymous).
 *
 *   npx tsx test/bench/connect-storm.ts [devices=10000] [concurrency=500]
 *
 * Printed for each: CONNACKs per second (first connect to last CONNACK), the server's CPU
 * seconds over the storm, and its RSS growth per idle session (after a full GC for the
 * station). Only 127.0.0.1 is used; every wait is bounded.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { generate } from 'mqtt-packet';

import { freeLocalPort } from '../support/free-port';
import { forkBenchChild } from './child-process';
import type {
  StormChildBaseline,
  StormChildMeasure,
  StormChildReady,
  StormChildRequest,
} from './connect-storm-child';

const MOSQUITTO = '/usr/sbin/mosquitto';
const STORM_TIMEOUT_MS = 120_000;
const CLK_TCK = 100;

interface Figures {
  connacksPerSecond: number;
  accepted: number;
  refused: number;
  cpuSeconds: number;
  bytesPerSession: number;
}

/** Connects `count` raw clients, `concurrency` handshakes at a time; keeps them open. */
async function storm(
  port: number,
  count: number,
  concurrency: number,
  username: (i: number) => string | undefined,
): Promise<{ seconds: number; accepted: number; refused: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`storm not done in ${STORM_TIMEOUT_MS} ms`)),
      STORM_TIMEOUT_MS,
    );
    const done = (): void => {
      if (accepted + refused === count) {
        clearTimeout(deadline);
        resolve();
      } else launch();
    };
    const launch = (): void => {
      if (next >= count) return;
      const i = next++;
      const user = username(i);
      const connect = generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: `storm-${i}`,
        clean: true,
        keepalive: 60,
        ...(user === undefined ? {} : { username: user }),
      });
      const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
      sockets.push(socket);
      let answered = false;
      const answer = (ok: boolean): void => {
        if (answered) return;
        answered = true;
        if (ok) accepted++;
        else refused++;
        done();
      };
      socket.on('error', () => answer(false));
      socket.on('close', () => answer(false));
      socket.once('connect', () => socket.write(connect));
      socket.once('data', (data: Buffer) => answer(data[0] === 0x20 && data[3] === 0));
    };
    for (let k = 0; k < concurrency; k++) launch();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, accepted, refused, sockets };
}

/**
 * One connection in and out before the baseline: what the first one loads once (modules,
 * mqtt-packet's number cache) is not a cost of each idle session.
 */
async function warmUp(port: number, username: string | undefined): Promise<void> {
  const { sockets } = await storm(port, 1, 1, () => username);
  closeAll(sockets);
  await new Promise((resolve) => setTimeout(resolve, 500));
}

function closeAll(sockets: net.Socket[]): void {
  for (const socket of sockets) socket.destroy();
}

function procCpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after "pid (comm) ".
  return Number(fields[11]) + Number(fields[12]);
}

function procRssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function startMosquitto(): Promise<{ child: ChildProcess; port: number; dir: string }> {
  const port = await freeLocalPort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-storm-mosquitto-'));
  const config = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_connections -1',
      'persistence false',
      'log_dest none',
      '',
    ].join('\n'),
  );
  const child = spawn(MOSQUITTO, ['-c', config], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const probe = net.connect(port, '127.0.0.1', () => {
        probe.destroy();
        resolve(true);
      });
      probe.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error('mosquitto did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, port, dir };
}

async function measureMosquitto(devices: number, concurrency: number): Promise<Figures> {
  const { child, port, dir } = await startMosquitto();
  const pid = child.pid ?? 0;
  try {
    await warmUp(port, undefined);
    const rssBefore = procRssBytes(pid);
    const cpuBefore = procCpuTicks(pid);
    const result = await storm(port, devices, concurrency, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cpuSeconds = (procCpuTicks(pid) - cpuBefore) / CLK_TCK;
    const rssAfter = procRssBytes(pid);
    closeAll(result.sockets);
    return {
      connacksPerSecond: result.accepted / result.seconds,
      accepted: result.accepted,
      refused: result.refused,
      cpuSeconds,
      bytesPerSession: (rssAfter - rssBefore) / Math.max(1, result.accepted),
    };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measureStation(devices: number, concurrency: number): Promise<Figures> {
  const request: StormChildRequest = { devices, tokenPrefix: 'storm-token-' };
  const child = forkBenchChild<StormChildReady | StormChildBaseline | StormChildMeasure>(
    path.join(__dirname, 'connect-storm-child.ts'),
    [JSON.stringify(request)],
    STORM_TIMEOUT_MS * 3,
    ['--expose-gc'],
  );
  const ready = (await child.next()) as StormChildReady;
  await warmUp(ready.port, 'storm-token-0');
  child.send('baseline');
  const baseline = (await child.next()) as StormChildBaseline;
  const result = await storm(ready.port, devices, concurrency, (i) => `storm-token-${i}`);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  child.send('measure');
  const measure = (await child.next()) as StormChildMeasure;
  closeAll(result.sockets);
  child.send('close');
  await child.exited;
  console.log(
    `  station JS heap per idle session: ${((measure.heapBytes - baseline.heapBytes) / Math.max(1, result.accepted) / 1024).toFixed(2)} KB`,
  );
  if (measure.sessions !== result.accepted) {
    console.log(`  (station counts ${measure.sessions} sessions, client ${result.accepted})`);
  }
  return {
    connacksPerSecond: result.accepted / result.seconds,
    accepted: result.accepted,
    refused: result.refused,
    cpuSeconds: measure.cpuMs / 1000,
    bytesPerSession: (measure.rssBytes - baseline.rssBytes) / Math.max(1, result.accepted),
  };
}

function line(name: string, f: Figures): string {
  return (
    `${name.padEnd(22)} ${f.connacksPerSecond.toFixed(0).padStart(7)} CONNACK/s  ` +
    `${f.cpuSeconds.toFixed(2).padStart(6)} s CPU  ` +
    `${(f.bytesPerSession / 1024).toFixed(2).padStart(6)} KB/idle session  ` +
    `(${f.accepted} accepted, ${f.refused} refused)`
  );
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 10_000);
  const concurrency = Number(process.argv[3] ?? 500);
  if (!Number.isInteger(devices) || devices < 1 || devices > 15_000) {
    throw new Error('devices must be 1..15000');
  }
  console.log(`connect storm: ${devices} devices, ${concurrency} handshakes at a time, MQTT 3.1.1`);
  const hasMosquitto = fs.existsSync(MOSQUITTO);
  const mosquitto = hasMosquitto ? await measureMosquitto(devices, concurrency) : undefined;
  const station = await measureStation(devices, concurrency);
  console.log(line('station (tokens)', station));
  if (mosquitto) {
    console.log(line('mosquitto (anonymous)', mosquitto));
    console.log(
      `station / mosquitto rate: ${(station.connacksPerSecond / mosquitto.connacksPerSecond).toFixed(2)}x (target >= 0.8x); ` +
        `per idle session ${(station.bytesPerSession / 1024).toFixed(2)} KB (target <= 4 KB)`,
    );
  } else {
    console.log(`(${MOSQUITTO} not installed: no baseline)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
