/**
 * Throughput of the MQTT endpoint serving chunk-sized responses.
 *
 *   npx tsx test/bench/mqtt-endpoint-throughput.ts [--clients 100,1000] [--seconds 5]
 *       [--size 65536] [--window 4] [--qos 1] [--workers 2]
 *
 * The endpoint runs in this process; the MQTT.js clients run in forked children (--workers,
 * clients split evenly) so that the two sides do not share one core. Each client keeps `window` requests outstanding and sends a new
 * one per response (a device fetching chunks with a little pipelining). Printed: payload MB/s
 * received by the clients over the measured window (after a one-second warm-up), responses/s.
 * Only 127.0.0.1 is used; every loop is bounded by --seconds.
 */
import { fork } from 'node:child_process';
import type { Socket } from 'node:net';

import mqtt, { type MqttClient } from 'mqtt';

import { MqttEndpoint } from '../../electron/core/mqtt/mqtt-endpoint';

interface Settings {
  clients: number[];
  seconds: number;
  size: number;
  window: number;
  qos: 0 | 1;
  workers: number;
}

interface ChildResult {
  connected: number;
  bytes: number;
  messages: number;
  elapsedMs: number;
  /** CPU time of the client process over the measured window, as a share of one core. */
  clientCpu: number;
}

const WARMUP_MS = 1000;

function parseSettings(argv: string[]): Settings {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const number = (name: string, fallback: number): number => {
    const raw = value(name);
    const parsed = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a number`);
    return parsed;
  };
  const clients = (value('clients') ?? '100,1000').split(',').map(Number);
  if (clients.some((n) => !Number.isInteger(n) || n < 1 || n > 5000)) {
    throw new Error('--clients must be a list of integers in 1..5000');
  }
  return {
    clients,
    seconds: Math.min(number('seconds', 5), 60),
    size: Math.min(number('size', 65536), 16 * 1024 * 1024),
    window: Math.max(1, Math.min(number('window', 4), 64)),
    qos: number('qos', 1) === 0 ? 0 : 1,
    workers: Math.max(1, Math.min(Math.floor(number('workers', 2)), 8)),
  };
}

/** Parent: one endpoint, one child of clients per configured client count. */
async function runParent(settings: Settings): Promise<void> {
  const response = Buffer.alloc(settings.size, 0xab);
  const endpoint = new MqttEndpoint<string>({
    host: '127.0.0.1',
    port: 0,
    subscribableFilters: ['bench/reply/+'],
    maxInflight: 100,
    handlers: {
      authenticate: (info) => info.username ?? null,
      onPublish: (session, message) => {
        session.publish(`bench/reply/${message.topic.slice('bench/req/'.length)}`, response);
        return 0;
      },
    },
  });
  const { port } = await endpoint.listen();
  console.log(
    `payload ${settings.size} B, window ${settings.window}, QoS ${settings.qos}, ` +
      `${settings.seconds} s measured per run, node ${process.version}`,
  );
  for (const clients of settings.clients) {
    const workers = Math.min(settings.workers, clients);
    const run = await runChildren(port, clients, workers, settings);
    const seconds = run.elapsedMs / 1000;
    const mbps = run.bytes / seconds / 1e6;
    console.log(
      `${String(clients).padStart(5)} clients (${run.connected} connected, ${workers} client ` +
        `process${workers > 1 ? 'es' : ''}): ${mbps.toFixed(0)} MB/s, ` +
        `${(run.messages / seconds).toFixed(0)} responses/s (CPU: endpoint ` +
        `${(run.serverCpu * 100).toFixed(0)}%, clients ${(run.clientCpu * 100).toFixed(0)}% of a core)`,
    );
    // Let the endpoint drop the finished clients before the next run.
    for (let i = 0; i < 500 && endpoint.sessions.size > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  await endpoint.close();
}

/** Forks the client processes, waits for all to report, and sums their figures. */
async function runChildren(
  port: number,
  clients: number,
  workers: number,
  settings: Settings,
): Promise<ChildResult & { serverCpu: number }> {
  let serverCpuAtStart: NodeJS.CpuUsage | undefined;
  const results = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const share = Math.floor(clients / workers) + (w < clients % workers ? 1 : 0);
      return new Promise<ChildResult>((resolve, reject) => {
        const child = fork(__filename, [
          '--child',
          String(port),
          String(share),
          String(settings.seconds),
          String(settings.window),
          String(settings.qos),
          String(w * 10_000),
        ]);
        const timer = setTimeout(() => child.kill(), (settings.seconds + 120) * 1000);
        child.on('message', (message) => {
          if (message === 'measuring') serverCpuAtStart ??= process.cpuUsage();
          else resolve(message as ChildResult);
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          if (code !== 0) reject(new Error(`client process exited with ${code}`));
        });
      });
    }),
  );
  const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
  const cpu = process.cpuUsage(serverCpuAtStart);
  return {
    connected: results.reduce((sum, r) => sum + r.connected, 0),
    bytes: results.reduce((sum, r) => sum + r.bytes, 0),
    messages: results.reduce((sum, r) => sum + r.messages, 0),
    elapsedMs,
    clientCpu: results.reduce((sum, r) => sum + r.clientCpu, 0),
    serverCpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
  };
}

function connect(port: number, id: number): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      host: '127.0.0.1',
      port,
      protocolVersion: 5,
      clientId: `bench-${id}`,
      username: `bench-${id}`,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    });
    client.once('connect', () => {
      // MQTT.js leaves Nagle on: its back-to-back PUBACK + request would wait for a delayed ACK.
      (client.stream as Socket).setNoDelay?.(true);
      resolve(client);
    });
    client.once('error', reject);
  });
}

/** Child: N clients, each keeping `window` requests outstanding. */
async function runChild(args: string[]): Promise<void> {
  const [port, count, seconds, window, qos, firstId] = args.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const clients: MqttClient[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) =>
      connect(port, firstId + i + j),
    );
    clients.push(...(await Promise.all(batch)));
  }
  await Promise.all(
    clients.map((client) => client.subscribeAsync('bench/reply/+', { qos: qos === 1 ? 1 : 0 })),
  );
  let measuring = false;
  let running = true;
  let bytes = 0;
  let messages = 0;
  clients.forEach((client, index) => {
    let sequence = 0;
    const request = (): void => {
      if (running) client.publish(`bench/req/${index}-${sequence++}`, '', { qos: 0 });
    };
    client.on('message', (_topic, payload) => {
      if (measuring) {
        bytes += payload.length;
        messages++;
      }
      request();
    });
    for (let w = 0; w < window; w++) request();
  });
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  measuring = true;
  process.send?.('measuring');
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  measuring = false;
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuAtStart);
  running = false;
  const result: ChildResult = {
    connected: clients.length,
    bytes,
    messages,
    elapsedMs,
    clientCpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
  };
  process.send?.(result);
  clients.forEach((client) => client.end(true));
  setTimeout(() => process.exit(0), 200);
}

const argv = process.argv.slice(2);
const main = argv[0] === '--child' ? runChild(argv.slice(1)) : runParent(parseSettings(argv));
main.catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
