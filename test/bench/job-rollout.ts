/**
 * Benchmark: a 1000-device job at concurrency 100 with 64 KiB chunks, against the ideal: the
 * whole fleet's bytes at the throughput bare aedes reaches with every device at once, measured
 * in the same run. Figures printed, never asserted.
 * Run: npx tsx test/bench/job-rollout.ts [devices] [concurrency]
 */
import { cpus, loadavg } from 'node:os';

import { FIRMWARE_BYTES, measure } from './measure-throughput';

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 1000);
  const concurrency = Number(process.argv[3] ?? 100);
  const chunkSize = 65_536;
  console.log(
    `Job rollout: ${devices} devices, concurrency ${concurrency}, ${chunkSize / 1024} KiB chunks, ${FIRMWARE_BYTES}-byte firmware; ` +
      `Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  const baseline = await measure('aedes', devices, chunkSize);
  const job = await measure('station-job', devices, chunkSize, concurrency);
  const idealSec = (devices * FIRMWARE_BYTES) / (baseline.sim.totals.mbPerSec * 1e6);
  const wallSec = job.sim.totals.wallMs / 1000;
  console.log(
    `  baseline (aedes, all at once): ${baseline.sim.totals.mbPerSec.toFixed(0)} MB/s -> ideal ${idealSec.toFixed(2)} s`,
  );
  console.log(
    `  station job: ${wallSec.toFixed(2)} s (${job.sim.totals.mbPerSec.toFixed(0)} MB/s), ${job.sim.totals.updated}/${devices} UPDATED, ` +
      `station CPU ${(job.serverCpuMs / 1000).toFixed(2)} s, peak RSS ${job.serverMaxRssMb} MB (target <= 256)`,
  );
  console.log(`  ratio ideal/actual: ${(idealSec / wallSec).toFixed(2)} (target >= 0.8)`);
  for (const p of [...baseline.sim.problems, ...job.sim.problems]) console.log(`  ! ${p}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
