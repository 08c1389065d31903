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

import mqtt from 'mqtt';
import WebSocket from 'ws';

import { forkBenchChild } from './child-process';
import type { LongDayFleetCounters, LongDayFleetRequest } from './long-day-fleet';
import type { LongDaySample, LongDayStationRequest } from './long-day-station';

const FIRMWARE_BYTES = 64 * 1024;

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
  const ready = (await station.next()) as {
    mqttUrl: string;
    httpUrl: string;
    secret: string;
    tokens: string[];
  };
  const ask = async <T>(message: unknown): Promise<T> => {
    station.send(message);
    return (await station.next()) as T;
  };

  let events = 0;
  // The UI's own way in: the event socket with the station's per-start secret.
  const ui = new WebSocket(
    `${ready.httpUrl.replace(/^http/, 'ws')}/api/events?token=${encodeURIComponent(ready.secret)}`,
  );
  ui.on('message', () => (events += 1));
  ui.on('error', (error) => console.log(`  ! UI listener: ${error.message}`));

  const [probeToken, ...fleetTokens] = ready.tokens;
  const fleetRequest: LongDayFleetRequest = { url: ready.mqttUrl, tokens: fleetTokens, minutes };
  const fleet = forkBenchChild<LongDayFleetCounters>(
    path.join(__dirname, 'long-day-fleet.ts'),
    [JSON.stringify(fleetRequest)],
    (minutes + 5) * 60_000,
  );
  await fleet.next();
  const rtts: number[] = [];
  const stopProbe = await startProbe(ready.mqttUrl, probeToken ?? '', rtts);
  const counters = async (): Promise<LongDayFleetCounters> => {
    fleet.send({ kind: 'counters' });
    return fleet.next();
  };

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
    '  min | station CPU | RSS MB | DB MB | RTT p50 / p95 / max ms | loop delay p99 / max ms | telemetry/s | UI events | sessions',
  );
  for (let minute = 1; minute <= minutes; minute++) {
    await new Promise((r) => setTimeout(r, 60_000));
    const sample = await ask<LongDaySample>({ kind: 'sample' });
    const sent = (await counters()).telemetry;
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
        `${sample.loopP99Ms.toFixed(0)} / ${sample.loopMaxMs.toFixed(0)} | ` +
        `${((sent - telemetryBefore) / 60).toFixed(0).padStart(11)} | ${String(events - eventsBefore).padStart(9)} | ${sample.sessions}`,
    );
    last = sample;
    eventsBefore = events;
    telemetryBefore = sent;
  }

  clearInterval(jobs);
  await stopProbe();
  fleet.send({ kind: 'stop' });
  const load = await fleet.next();
  await fleet.exited;
  await new Promise((r) => setTimeout(r, 60_000));
  const after = await ask<LongDaySample>({ kind: 'sample' });
  console.log(
    `  1 min after the load: CPU ${(((after.cpuMs - last.cpuMs) / 60_000) * 100).toFixed(1)} %, RSS ${after.rssMb.toFixed(0)} MB, ` +
      `DB ${after.dbMb.toFixed(1)} MB, ${after.sessions} sessions`,
  );
  console.log(
    `  load: ${load.updated} updates, ${load.drops} unclean drops, ${version} jobs, ${events} UI events`,
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
