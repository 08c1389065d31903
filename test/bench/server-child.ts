// One OTA server for the throughput benchmark, in its own process: either the station (with N
// devices that have the firmware assigned) or the aedes baseline. Sends {url}, then on any
// message sends its CPU time and peak RSS and exits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
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
): Promise<{ url: string; close(): Promise<void> }> {
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
    close: async () => {
      await station.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as ServerChildRequest;
  const firmware = benchFirmware(request.firmwareBytes);
  const server =
    request.kind === 'aedes'
      ? await startAedesBaseline({
          firmware,
          title: 'CIM-168',
          version: '1.0.1',
          checksumAlgorithm: 'SHA256',
        })
      : await startStationWithFleet(request, firmware);
  // Set-up is not part of what is measured.
  const cpuBefore = process.cpuUsage();
  process.send?.({ url: server.url });
  process.once('message', () => {
    const usage = ownUsage(cpuBefore);
    void server.close().then(() => process.send?.(usage, () => process.exit(0)));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
