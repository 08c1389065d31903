/**
 * Benchmark: a long day on site. N devices (default 300) send telemetry at 1 Hz, drop and come
 * back (a few unclean drops a second, two storms dropping a quarter of the fleet), a new job
 * for the whole fleet every two minutes (one in the short form), one UI listener on the events
 * WebSocket. Prints per minute the station's CPU, RSS, database size and the attribute round
 * trip p50/p95; then the targets: last minute within 1.2x of the second for CPU and p95, RSS
 * back within 20 MB of its post-warm-up level one minute after the load stops, database flat
 * once retention applies (the bench shortens the telemetry age so that it does). Figures are
 * printed, never asserted; everything listens on 127.0.0.1.
 * Run: npx tsx test/bench/long-day.ts [--minutes 10] [--devices 300]  (env LONG_DAY_MINUTES)
 */
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import { forkBenchChild } from './child-process';
import type { LongDaySample, LongDayStationRequest } from './long-day-station';

const FIRMWARE_BYTES = 64 * 1024;
const CHUNK = 16 * 1024;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const minutes = option('minutes', Number(process.env.LONG_DAY_MINUTES) || 10);
const deviceCount = option('devices', 300);
const jobEveryMs = (minutes >= 10 ? 120 : 60) * 1000;
// Retention must apply within the run for "flat once retention applies" to be seen.
const maxAgeMs = Math.max(1, Math.floor(minutes / 3)) * 60_000;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A device written for ThingsBoard: telemetry at 1 Hz, updates when told, drops when told. */
class DayDevice {
  client: MqttClient | undefined;
  version = '2.0.0';
  private busy = false;
  private request = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly counters: { updated: number; drops: number; telemetry: number },
  ) {}

  async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await mqtt.connectAsync(this.url, {
        username: this.token,
        clientId: `day-${this.token}`,
        reconnectPeriod: 0,
        connectTimeout: 10_000,
        keepalive: 60,
      });
      this.client = client;
      client.on('error', () => undefined);
      client.on('close', () => {
        if (this.client === client) this.client = undefined;
        this.busy = false;
      });
      client.on('message', (topic, payload) => this.onMessage(client, topic, payload));
      await client.subscribeAsync(
        [
          'v1/devices/me/attributes',
          'v1/devices/me/attributes/response/+',
          'v2/fw/response/+/chunk/+',
        ],
        { qos: 1 },
      );
      this.publish({ current_fw_title: 'CIM-168', current_fw_version: this.version });
      client.publish(
        'v1/devices/me/attributes/request/1',
        '{"sharedKeys":"fw_title,fw_version,fw_size"}',
        { qos: 1 },
      );
    } catch {
      this.client = undefined;
      setTimeout(() => void this.connect(), 2000).unref();
    }
  }

  telemetry(): void {
    if (!this.client) return;
    this.counters.telemetry += 1;
    this.publish({
      temperature: 20 + Math.random() * 5,
      humidity: Math.round(40 + Math.random() * 20),
      rssi: -60 - Math.round(Math.random() * 20),
    });
  }

  /** An unclean drop (no DISCONNECT), then back after 1-3 s. */
  drop(): void {
    const client = this.client;
    if (!client) return;
    this.counters.drops += 1;
    this.client = undefined;
    client.stream.destroy();
    client.end(true);
    setTimeout(() => void this.connect(), 1000 + Math.random() * 2000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.endAsync(true).catch(() => undefined);
  }

  private publish(values: Record<string, unknown>): void {
    this.client?.publish('v1/devices/me/telemetry', JSON.stringify(values), { qos: 1 });
  }

  private onMessage(client: MqttClient, topic: string, payload: Buffer): void {
    if (topic.startsWith('v2/')) return;
    const body = JSON.parse(payload.toString()) as Record<string, unknown>;
    const shared = (topic === 'v1/devices/me/attributes' ? body : body.shared) as
      Record<string, unknown> | undefined;
    const version = shared?.fw_version;
    const size = shared?.fw_size;
    if (typeof version !== 'string' || version === this.version || this.busy) return;
    if (typeof size !== 'number') return;
    this.busy = true;
    void this.update(client, version, size).finally(() => {
      this.busy = false;
    });
  }

  private async update(client: MqttClient, version: string, size: number): Promise<void> {
    const state = (s: string) =>
      client.publishAsync(
        'v1/devices/me/telemetry',
        JSON.stringify({
          fw_state: s,
          current_fw_title: 'CIM-168',
          current_fw_version: this.version,
        }),
        { qos: 1 },
      );
    try {
      await state('DOWNLOADING');
      this.request += 1;
      for (let index = 0; index * CHUNK < size; index++) {
        const topic = `v2/fw/response/${this.request}/chunk/${index}`;
        const chunk = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('chunk timeout')), 15_000);
          const onMessage = (t: string) => {
            if (t !== topic) return;
            clearTimeout(timer);
            client.off('message', onMessage);
            resolve();
          };
          client.on('message', onMessage);
        });
        // Observed at once: a publish that fails (the connection dropped) leaves it unawaited.
        chunk.catch(() => undefined);
        await client.publishAsync(`v2/fw/request/${this.request}/chunk/${index}`, String(CHUNK), {
          qos: 1,
        });
        await chunk;
      }
      for (const s of ['DOWNLOADED', 'VERIFIED', 'UPDATING']) await state(s);
      this.version = version;
      await client.publishAsync(
        'v1/devices/me/telemetry',
        JSON.stringify({
          fw_state: 'UPDATED',
          current_fw_title: 'CIM-168',
          current_fw_version: version,
        }),
        { qos: 1 },
      );
      this.counters.updated += 1;
    } catch {
      // Dropped mid-update: the next connection asks for its attributes and carries on.
    }
  }
}

/** Attribute round trips of one device that stays connected, five a second. */
async function startProbe(
  url: string,
  token: string,
  rtts: number[],
): Promise<() => Promise<void>> {
  const client = await mqtt.connectAsync(url, { username: token, reconnectPeriod: 0 });
  await client.subscribeAsync('v1/devices/me/attributes/response/+', { qos: 1 });
  const sent = new Map<number, number>();
  client.on('message', (topic) => {
    const id = Number(topic.split('/').pop());
    const at = sent.get(id);
    if (at === undefined) return;
    sent.delete(id);
    rtts.push(performance.now() - at);
  });
  let id = 0;
  const timer = setInterval(() => {
    id += 1;
    sent.set(id, performance.now());
    // Unanswered requests are not kept for ever.
    if (sent.size > 100) sent.delete(sent.keys().next().value as number);
    client.publish(`v1/devices/me/attributes/request/${id}`, '{"clientKeys":"model"}', { qos: 1 });
  }, 200);
  return async () => {
    clearInterval(timer);
    await client.endAsync(true);
  };
}

async function main(): Promise<void> {
  console.log(
    `Long day: ${deviceCount} devices, telemetry 1 Hz, churn, a job every ${jobEveryMs / 1000} s, ` +
      `${minutes} min load + 1 min after, telemetry age ${maxAgeMs / 60_000} min; ` +
      `Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  const request: LongDayStationRequest = {
    devices: deviceCount + 1,
    firmwareBytes: FIRMWARE_BYTES,
    maxAgeMs,
  };
  const station = forkBenchChild<Record<string, unknown>>(
    path.join(__dirname, 'long-day-station.ts'),
    [JSON.stringify(request)],
    (minutes + 5) * 60_000,
  );
  const ready = (await station.next()) as { mqttUrl: string; httpUrl: string; tokens: string[] };
  const ask = async <T>(message: unknown): Promise<T> => {
    station.send(message);
    return (await station.next()) as T;
  };

  let events = 0;
  const ui = new WebSocket(`${ready.httpUrl.replace(/^http/, 'ws')}/api/events`);
  ui.on('message', () => (events += 1));
  ui.on('error', (error) => console.log(`  ! UI listener: ${error.message}`));

  const counters = { updated: 0, drops: 0, telemetry: 0 };
  const [probeToken, ...fleetTokens] = ready.tokens;
  const devices = fleetTokens.map((t) => new DayDevice(ready.mqttUrl, t, counters));
  for (let i = 0; i < devices.length; i += 50)
    await Promise.all(devices.slice(i, i + 50).map((d) => d.connect()));
  const rtts: number[] = [];
  const stopProbe = await startProbe(ready.mqttUrl, probeToken ?? '', rtts);

  // 1 Hz telemetry, spread over the second; a few unclean drops a second.
  let slot = 0;
  const telemetry = setInterval(() => {
    for (let i = slot; i < devices.length; i += 10) devices[i]?.telemetry();
    slot = (slot + 1) % 10;
  }, 100);
  const churn = setInterval(() => {
    for (let k = 0; k < 2; k++) devices[Math.floor(Math.random() * devices.length)]?.drop();
  }, 1000);
  const storms = [0.3, 0.7].map((at) =>
    setTimeout(
      () => {
        for (const d of devices) if (Math.random() < 0.25) d.drop();
      },
      at * minutes * 60_000,
    ),
  );
  let version = 0;
  const newJob = () => {
    version += 1;
    station.send({ kind: 'job', version });
  };
  newJob();
  const jobs = setInterval(newJob, jobEveryMs);

  const rows: { cpu: number; rss: number; db: number; p50: number; p95: number }[] = [];
  let last = await ask<LongDaySample>({ kind: 'sample' });
  let eventsBefore = 0;
  let telemetryBefore = 0;
  console.log(
    '  min | station CPU | RSS MB | DB MB | RTT p50 / p95 / max ms | telemetry/s | UI events | sessions',
  );
  for (let minute = 1; minute <= minutes; minute++) {
    await new Promise((r) => setTimeout(r, 60_000));
    const sample = await ask<LongDaySample>({ kind: 'sample' });
    const sorted = rtts.splice(0).sort((a, b) => a - b);
    const row = {
      cpu: ((sample.cpuMs - last.cpuMs) / 60_000) * 100,
      rss: sample.rssMb,
      db: sample.dbMb,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
    };
    rows.push(row);
    console.log(
      `  ${String(minute).padStart(3)} | ${row.cpu.toFixed(1).padStart(8)} % | ${row.rss.toFixed(0).padStart(6)} | ` +
        `${row.db.toFixed(1).padStart(5)} | ${row.p50.toFixed(1)} / ${row.p95.toFixed(1)} / ${(sorted.at(-1) ?? NaN).toFixed(0)} | ` +
        `${((counters.telemetry - telemetryBefore) / 60).toFixed(0).padStart(11)} | ${String(events - eventsBefore).padStart(9)} | ${sample.sessions}`,
    );
    last = sample;
    eventsBefore = events;
    telemetryBefore = counters.telemetry;
  }

  clearInterval(telemetry);
  clearInterval(churn);
  clearInterval(jobs);
  storms.forEach(clearTimeout);
  await stopProbe();
  await Promise.all(devices.map((d) => d.stop()));
  await new Promise((r) => setTimeout(r, 60_000));
  const after = await ask<LongDaySample>({ kind: 'sample' });
  console.log(
    `  1 min after the load: CPU ${(((after.cpuMs - last.cpuMs) / 60_000) * 100).toFixed(1)} %, RSS ${after.rssMb.toFixed(0)} MB, ` +
      `DB ${after.dbMb.toFixed(1)} MB, ${after.sessions} sessions`,
  );
  console.log(
    `  load: ${counters.updated} updates, ${counters.drops} unclean drops, ${version} jobs, ${events} UI events`,
  );

  const second = rows[1];
  const final = rows.at(-1);
  const warm = rows[0];
  if (second && final && warm) {
    const retentionFrom = Math.ceil(maxAgeMs / 60_000) + 1;
    const applied = rows[retentionFrom - 1];
    console.log(
      `  CPU last/second minute: ${(final.cpu / second.cpu).toFixed(2)}x (target <= 1.2)\n` +
        `  RTT p95 last/second minute: ${(final.p95 / second.p95).toFixed(2)}x (target <= 1.2)\n` +
        `  RSS 1 min after the load - after warm-up (minute 1): ${(after.rssMb - warm.rss).toFixed(1)} MB (target <= 20)\n` +
        (applied && retentionFrom < rows.length
          ? `  DB size from minute ${retentionFrom} (retention applies) to the last: ${applied.db.toFixed(1)} -> ${final.db.toFixed(1)} MB (${((final.db / applied.db - 1) * 100).toFixed(0)} %, target flat)`
          : '  DB size: the run is too short for retention to apply'),
    );
  }
  ui.close();
  await ask({ kind: 'stop' });
  await station.exited;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
