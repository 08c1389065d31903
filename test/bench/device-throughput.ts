/**
 * Benchmark: the station serving 100 and 1000 simulated devices the seed's 3,735,576-byte
 * firmware at 64 KiB and 8 KiB chunks, next to the baseline measured in the same run (bare aedes
 * answering the same requests from a Buffer with client.publish). Server, simulator and this
 * orchestrator are separate processes. Figures printed, never asserted.
 * Run: npx tsx test/bench/device-throughput.ts [devices,...] [chunkBytes,...]
 */
import { cpus, loadavg } from 'node:os';

import { FIRMWARE_BYTES, measure, type Measurement } from './measure-throughput';

function row(m: Measurement): string {
  const t = m.sim.totals;
  const ok = `${t.updated}/${m.devices} UPDATED`;
  return [
    m.server.padEnd(11),
    `${t.mbPerSec.toFixed(0).padStart(6)} MB/s`,
    `${(t.wallMs / 1000).toFixed(2).padStart(7)} s`,
    `CPU ${(m.serverCpuMs / 1000).toFixed(2).padStart(6)} s`,
    `peak RSS ${String(m.serverMaxRssMb).padStart(4)} MB`,
    ok,
  ].join('  ');
}

async function main(): Promise<void> {
  const deviceCounts = (process.argv[2] ?? '100,1000').split(',').map(Number);
  const chunkSizes = (process.argv[3] ?? '65536,8192').split(',').map(Number);
  console.log(
    `Device throughput: ${FIRMWARE_BYTES}-byte firmware; Node ${process.version}, ${cpus().length} CPUs, ` +
      `load ${loadavg()[0]?.toFixed(2)}; server and simulator in separate processes on 127.0.0.1`,
  );
  for (const chunkSize of chunkSizes) {
    for (const devices of deviceCounts) {
      const baseline = await measure('aedes', devices, chunkSize);
      const station = await measure('station', devices, chunkSize);
      console.log(`\n${devices} devices, ${chunkSize / 1024} KiB chunks`);
      console.log(`  ${row(baseline)}`);
      console.log(`  ${row(station)}`);
      const ratio = station.sim.totals.mbPerSec / baseline.sim.totals.mbPerSec;
      const target = chunkSize === 65536 ? ' (target >= 0.9)' : '';
      console.log(`  ratio station/baseline: ${ratio.toFixed(2)}${target}`);
      for (const p of [...baseline.sim.problems, ...station.sim.problems]) console.log(`  ! ${p}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
