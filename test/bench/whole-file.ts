/**
 * Benchmark: ThingsBoard's default firmware request (chunk 0, empty payload: the whole file in
 * one PUBLISH) for a 100 MB image by 10 devices at once, the station (streaming from its blob
 * file) next to bare aedes answering from a Buffer in memory, in the same run; then devices
 * that pipeline 2000 requests for 512 KiB chunks without reading, against the station only
 * (aedes has no queue cap to compare). Server and devices are separate processes on 127.0.0.1.
 * Peak RSS is sampled in the server process during the run, after a GC of its set-up.
 * Figures printed, never asserted.
 * Run: npx tsx test/bench/whole-file.ts [imageBytes] [devices]
 */
import crypto from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import { forkBenchChild } from './child-process';
import { benchFirmware } from './firmware';
import type { ServerChildRequest, ServerKind } from './server-child';
import type { WholeFileChildReport, WholeFileChildRequest } from './whole-file-child';

interface ServerUsage {
  cpuMs: number;
  startRssMb: number;
  runPeakRssMb: number;
}

const TIMEOUT_MS = 300_000;

async function run(
  kind: ServerKind,
  devices: number,
  imageBytes: number,
  devicesRequest: Omit<WholeFileChildRequest, 'url' | 'tokenPrefix' | 'count'>,
): Promise<{ usage: ServerUsage; report: WholeFileChildReport }> {
  const tokenPrefix = 'bench-';
  const serverRequest: ServerChildRequest = {
    kind,
    devices,
    tokenPrefix,
    firmwareBytes: imageBytes,
    jobConcurrency: 0,
  };
  const server = forkBenchChild<{ url: string } | ServerUsage>(
    path.join(__dirname, 'server-child.ts'),
    [JSON.stringify(serverRequest)],
    TIMEOUT_MS + 60_000,
  );
  const { url } = (await server.next()) as { url: string };
  const request: WholeFileChildRequest = { url, tokenPrefix, count: devices, ...devicesRequest };
  const child = forkBenchChild<WholeFileChildReport>(
    path.join(__dirname, 'whole-file-child.ts'),
    [JSON.stringify(request)],
    TIMEOUT_MS,
  );
  const report = await child.next();
  server.send('stop');
  const usage = (await server.next()) as ServerUsage;
  await Promise.all([server.exited, child.exited]);
  return { usage, report };
}

function rss(usage: ServerUsage): string {
  return `RSS ${String(usage.startRssMb).padStart(4)} MB at start, peak ${String(usage.runPeakRssMb).padStart(5)} MB`;
}

async function main(): Promise<void> {
  const imageBytes = Number(process.argv[2] ?? 100_000_000);
  const devices = Number(process.argv[3] ?? 10);
  const expected = crypto.createHash('sha256').update(benchFirmware(imageBytes)).digest('hex');
  console.log(
    `Whole file in one message: ${imageBytes}-byte image, ${devices} devices at once; Node ${process.version}, ` +
      `${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}; a warm-up request opens (hashes) it first`,
  );
  for (const kind of ['aedes', 'station'] as const) {
    const { usage, report } = await run(kind, devices, imageBytes, { mode: 'whole' });
    if (report.mode !== 'whole') throw new Error('unexpected report');
    const total = report.bytes.reduce((a, b) => a + b, 0);
    const intact = report.sha256.filter((h) => h === expected).length;
    const label = kind === 'aedes' ? 'aedes (Buffer in memory)' : 'station (from disk)';
    console.log(
      `  ${label.padEnd(25)} ${(total / 1e6 / (report.wallMs / 1000)).toFixed(0).padStart(5)} MB/s  ` +
        `${(report.wallMs / 1000).toFixed(2).padStart(6)} s  CPU ${(usage.cpuMs / 1000).toFixed(2).padStart(5)} s  ` +
        `${rss(usage)}  ${intact}/${devices} intact`,
    );
  }
  console.log('\nPipelined chunks: 2000 requests for 512 KiB each, never read (station only)');
  for (const count of [1, 3]) {
    const { usage, report } = await run('station', count, imageBytes, {
      mode: 'pipeline',
      requests: 2000,
      chunkBytes: 512 * 1024,
      holdMs: 5000,
    });
    if (report.mode !== 'pipeline') throw new Error('unexpected report');
    console.log(
      `  ${String(count)} device${count === 1 ? ' ' : 's'}  ${rss(usage)}  ` +
        `${report.closedByServer}/${count} cut off as slow readers`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
