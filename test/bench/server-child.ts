// One OTA server for the throughput benchmark, in its own process: either the station (with N
// devices that have the firmware assigned) or the aedes baseline. Sends {url, urls} (urls: the
// device API of each transport; aedes speaks MQTT only), then on any message sends its CPU
// time, peak RSS and transport counts, and exits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';

import { startStation } from '../../electron/core/station';
import { PackageMeta } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';
import { startAedesBaseline } from './aedes-baseline';
import { ownUsage } from './child-process';
import { benchFirmware } from './firmware';

/** station: every device assigned at once; station-job: one job at a concurrency limit. */
export type ServerKind = 'station' | 'station-job' | 'aedes';

export interface ServerChildRequest {
  kind: ServerKind;
  devices: number;
  tokenPrefix: string;
  firmwareBytes: number;
  /** For station-job: devices downloading at once. */
  jobConcurrency: number;
}

async function startStationWithFleet(
  request: ServerChildRequest,
  firmware: Buffer,
): Promise<{
  url: string;
  urls: Record<string, string>;
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-bench-'));
  const station = await startStation({ dataDir, mqttPort: 0 });
  const profile = await station.api['profiles.add'](parseArgs('profiles.add', { name: 'CIM-168' }));
  const pkg = await station.importPackage(
    PackageMeta.parse({
      title: 'CIM-168',
      version: '1.0.1',
      profileId: profile.id,
      type: 'FIRMWARE',
      fileName: 'fw.bin',
    }),
    Readable.from([firmware]),
  );
  for (let i = 0; i < request.devices; i++) {
    const device = await station.api['devices.add'](
      parseArgs('devices.add', {
        name: `bench-device-${i}`,
        profileId: profile.id,
        accessToken: `${request.tokenPrefix}${i}`,
      }),
    );
    await station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });
  }
  return {
    url: `mqtt://127.0.0.1:${station.mqttAddress().port}`,
    urls: {
      mqtt: `mqtt://127.0.0.1:${station.mqttAddress().port}`,
      http: `http://127.0.0.1:${station.httpDeviceAddress().port}`,
      coap: `coap://127.0.0.1:${station.coapAddress().port}`,
    },
    stats: () => ({ coap: station.coapStats() }),
    close: async () => {
      await station.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A full garbage collection, so that set-up garbage (the imported firmware) is not counted. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as ServerChildRequest;
  // The station keeps no reference to the firmware once imported: only aedes serves from it.
  const server =
    request.kind === 'aedes'
      ? await startAedesBaseline({
          firmware: benchFirmware(request.firmwareBytes),
          title: 'CIM-168',
          version: '1.0.1',
          checksumAlgorithm: 'SHA256',
        })
      : await startStationWithFleet(request, benchFirmware(request.firmwareBytes));
  // Set-up is not part of what is measured.
  collectGarbage();
  const startRss = process.memoryUsage.rss();
  let runPeakRss = startRss;
  const sampler = setInterval(() => {
    runPeakRss = Math.max(runPeakRss, process.memoryUsage.rss());
  }, 20);
  const cpuBefore = process.cpuUsage();
  process.send?.({ url: server.url, urls: 'urls' in server ? server.urls : { mqtt: server.url } });
  process.once('message', () => {
    clearInterval(sampler);
    const usage = {
      ...ownUsage(cpuBefore),
      startRssMb: Math.round(startRss / 1e6),
      runPeakRssMb: Math.round(runPeakRss / 1e6),
      ...('stats' in server ? server.stats() : {}),
    };
    void server.close().then(() => process.send?.(usage, () => process.exit(0)));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
