/**
 * Benchmark: what a chunk request costs the station before a byte is read, i.e. opening the
 * device's download (DeviceService.openDownload, the call every transport makes), for devices
 * each asking in turn as a fleet downloading at once does. Two rows of the same run: the open
 * download kept between requests (the station's default), and opened afresh for every request
 * (room for one open download only), which is what every HTTP chunk cost before it was kept.
 * In-process station, real SQLite and blob files. Figures printed, never asserted.
 * Run: npx tsx test/bench/open-download.ts [devices] [opens]
 */
import { cpus, loadavg } from 'node:os';

import type { DeviceCaller } from '../../electron/core/device-api/device-service';
import type { OpenDownloadLimits } from '../../electron/core/device-api/open-downloads';
import { deviceWithFirmware } from '../integration/device-api-helpers';
import { startStationFixture } from '../support/station-fixture';

const FROM = { transport: 'http', remoteAddress: '127.0.0.1', clientId: null } as const;

async function measure(devices: number, opens: number, limits: OpenDownloadLimits) {
  const fx = await startStationFixture({ openDownloads: limits });
  try {
    const service = fx.station.deviceService;
    const profileId = (await fx.profile('CIM-168')).id;
    const callers: DeviceCaller[] = [];
    for (let i = 0; i < devices; i++) {
      const sc = await deviceWithFirmware(fx, { size: 100_000, profileId, version: `1.0.${i}` });
      callers.push({ ...FROM, device: service.authenticate(sc.token, FROM)! });
    }
    // Every binary verified and every download opened once, as after each device's first chunk.
    for (const caller of callers) await service.openDownload(caller, 'FIRMWARE');
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < opens; i++) {
      const opened = await service.openDownload(callers[i % devices]!, 'FIRMWARE');
      if (!opened.ok) throw new Error(`refused: ${opened.message}`);
    }
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { wallUs: (wallMs * 1000) / opens, cpuUs: (used.user + used.system) / opens };
  } finally {
    await fx.close();
  }
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 100);
  const opens = Number(process.argv[3] ?? 20_000);
  console.log(
    `Open download: ${devices} devices asking in turn, ${opens} opens; ` +
      `Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  const rows: [string, OpenDownloadLimits][] = [
    ['kept open', {}],
    ['afresh', { max: 1 }],
  ];
  for (const [label, limits] of rows) {
    const m = await measure(devices, opens, limits);
    console.log(
      `  ${label.padEnd(10)} ${m.cpuUs.toFixed(1).padStart(7)} µs CPU ${m.wallUs.toFixed(1).padStart(7)} µs wall per open`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
