// The station for the connect-storm benchmark, in its own process (run with --expose-gc): N
// devices with tokens `${tokenPrefix}${i}`. Sends {port} once set up; on 'baseline' (after a
// warm-up connection has loaded every lazy module and cache) its RSS and heap after a full
// GC; on 'measure' its CPU time since the baseline, RSS, heap and session count; on 'close'
// closes and exits.
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';

import { startStation } from '../../electron/core/station';
import { parseArgs } from '../../shared/api/validate';

export interface StormChildRequest {
  devices: number;
  tokenPrefix: string;
}

export interface StormChildReady {
  port: number;
}

export interface StormChildBaseline {
  rssBytes: number;
  heapBytes: number;
}

export interface StormChildMeasure {
  cpuMs: number;
  rssBytes: number;
  heapBytes: number;
  sessions: number;
}

function settledRss(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().rss;
}

/** STORM_PROFILE=file.cpuprofile: a CPU profile of the storm only (not the set-up). */
async function startProfile(file: string | undefined): Promise<(() => void) | undefined> {
  if (!file) return undefined;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return () => {
    void post('Profiler.stop').then((result) => {
      fs.writeFileSync(file, JSON.stringify((result as { profile: unknown }).profile));
    });
  };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as StormChildRequest;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-storm-'));
  const station = await startStation({
    dataDir,
    mqttPort: 0,
    maxConnections: request.devices + 1024,
  });
  const profile = await station.api['profiles.add'](parseArgs('profiles.add', { name: 'CIM-168' }));
  for (let i = 0; i < request.devices; i++) {
    await station.api['devices.add'](
      parseArgs('devices.add', {
        name: `storm-device-${i}`,
        profileId: profile.id,
        accessToken: `${request.tokenPrefix}${i}`,
      }),
    );
  }
  let stopProfile: (() => void) | undefined;
  let cpuBefore = process.cpuUsage();
  const ready: StormChildReady = { port: station.mqttAddress().port };
  process.send?.(ready);
  process.on('message', (message) => {
    if (message === 'baseline') {
      const baseline: StormChildBaseline = {
        rssBytes: settledRss(),
        heapBytes: process.memoryUsage().heapUsed,
      };
      void startProfile(process.env.STORM_PROFILE).then((stop) => {
        stopProfile = stop;
        cpuBefore = process.cpuUsage();
        process.send?.(baseline);
      });
    } else if (message === 'measure') {
      const cpu = process.cpuUsage(cpuBefore);
      stopProfile?.();
      if (process.env.STORM_HEAP) v8.writeHeapSnapshot(process.env.STORM_HEAP);
      void station.api['station.status']({}).then((status) => {
        const measure: StormChildMeasure = {
          cpuMs: Math.round((cpu.user + cpu.system) / 1000),
          rssBytes: settledRss(),
          heapBytes: process.memoryUsage().heapUsed,
          sessions: status.sessions,
        };
        process.send?.(measure);
      });
    } else if (message === 'close') {
      void station.close().then(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
