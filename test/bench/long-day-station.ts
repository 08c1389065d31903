// The station of the long-day benchmark, in its own process so that its CPU time and RSS are
// its own: the headless station (MQTT + HTTP with the events WebSocket) on 127.0.0.1 with N
// devices. Sends {mqttUrl, httpUrl, secret, tokens}; then answers 'sample' with its usage and database
// size, 'job' (no answer) by adding the next package version and a job for the whole fleet,
// 'stop' by closing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';

import { startHttpServer } from '../../electron/core/http/server';
import { newStationSecret } from '../../electron/core/http/station-secret';
import { startStation } from '../../electron/core/station';
import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import { PackageMeta } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';
import { benchFirmware } from './firmware';

export interface LongDayStationRequest {
  devices: number;
  firmwareBytes: number;
  /** Telemetry older than this goes (the bench shortens the age so that retention applies). */
  maxAgeMs: number;
}

export interface LongDaySample {
  cpuMs: number;
  rssMb: number;
  dbMb: number;
  sessions: number;
  /** The station's event loop delay since the last sample, p99 and max (ms). */
  loopP99Ms: number;
  loopMaxMs: number;
}

export type LongDayCommand =
  { kind: 'sample' } | { kind: 'job'; version: number } | { kind: 'stop' };

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as LongDayStationRequest;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-long-day-'));
  const station = await startStation({
    dataDir,
    mqttPort: 0,
    telemetryRetention: { maxAgeMs: request.maxAgeMs, intervalMs: 5000, markEveryMs: 5000 },
  });
  const secret = newStationSecret();
  const http = await startHttpServer({ station, host: '127.0.0.1', port: 0, secret });
  station.setHttpUrl(http.url);
  const profile = await station.api['profiles.add'](parseArgs('profiles.add', { name: 'CIM-168' }));
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < request.devices; i++) {
    const device = await station.api['devices.add'](
      parseArgs('devices.add', {
        name: `day-device-${i}`,
        profileId: profile.id,
        accessToken: `long-day-${i}`,
      }),
    );
    tokens.push(device.accessToken);
    ids.push(device.id);
  }
  const firmware = benchFirmware(request.firmwareBytes);
  const dbFiles = ['', '-wal', '-shm'].map((s) => path.join(dataDir, `${DATABASE_FILE_NAME}${s}`));
  const dbMb = () =>
    dbFiles.reduce((sum, file) => sum + (fs.existsSync(file) ? fs.statSync(file).size : 0), 0) /
    1e6;

  process.send?.({
    mqttUrl: `mqtt://127.0.0.1:${station.mqttAddress().port}`,
    httpUrl: http.url,
    secret,
    tokens,
  });
  // A driver that died (a crash, a time-out kill) must not leave this process behind.
  process.once('disconnect', () => process.exit(1));
  // Whether a slow round trip is the station's own loop being busy, or the machine.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on('message', (command: LongDayCommand) => {
    void (async () => {
      if (command.kind === 'sample') {
        const cpu = process.cpuUsage();
        process.send?.({
          cpuMs: (cpu.user + cpu.system) / 1000,
          rssMb: process.memoryUsage().rss / 1e6,
          dbMb: dbMb(),
          sessions: (await station.api['station.status']({})).sessions,
          loopP99Ms: loop.percentile(99) / 1e6,
          loopMaxMs: loop.max / 1e6,
        } satisfies LongDaySample);
        loop.reset();
      } else if (command.kind === 'job') {
        // Each job a new version, with its own bytes, as a day of successive releases.
        const bytes = Buffer.from(firmware);
        bytes.writeUInt32BE(command.version, 0);
        const pkg = await station.importPackage(
          PackageMeta.parse({
            title: 'CIM-168',
            version: `2.0.${command.version}`,
            profileId: profile.id,
            type: 'FIRMWARE',
            fileName: 'fw.bin',
          }),
          Readable.from([bytes]),
        );
        await station.api['jobs.create'](
          parseArgs('jobs.create', {
            packageId: pkg.id,
            deviceIds: ids,
            policy: { concurrency: 50, retries: 1, timeoutSec: 60, retryDelaySec: 5 },
          }),
        );
      } else {
        await http.close();
        await station.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.send?.({ ok: true }, () => process.exit(0));
      }
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
