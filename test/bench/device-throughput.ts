/**
 * Benchmark: the station serving 100 and 1000 simulated devices the seed's 3,735,576-byte
 * firmware at 64 KiB and 8 KiB chunks, next to the baseline measured in the same run (bare aedes
 * answering the same requests from a Buffer with client.publish). Server, simulator and this
 * orchestrator are separate processes. Figures printed, never asserted.
 * Run: npx tsx test/bench/device-throughput.ts [devices,...] [chunkBytes,...]
 */
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { forkBenchChild } from './child-process';
import type { ServerChildRequest } from './server-child';
import type { SimulatorChildReport, SimulatorChildRequest } from './simulator-child';

const FIRMWARE_BYTES = 3_735_576;
const SIMULATION_TIMEOUT_MS = 180_000;

interface Measurement {
  server: 'station' | 'aedes';
  devices: number;
  chunkSize: number;
  sim: SimulatorChildReport;
  serverCpuMs: number;
  serverMaxRssMb: number;
}

async function measure(
  server: 'station' | 'aedes',
  devices: number,
  chunkSize: number,
): Promise<Measurement> {
  const tokenPrefix = 'bench-';
  const serverRequest: ServerChildRequest = {
    kind: server,
    devices,
    tokenPrefix,
    firmwareBytes: FIRMWARE_BYTES,
  };
  const serverChild = forkBenchChild<{ url: string } | { cpuMs: number; maxRssMb: number }>(
    path.join(__dirname, 'server-child.ts'),
    [JSON.stringify(serverRequest)],
    SIMULATION_TIMEOUT_MS + 120_000,
  );
  const ready = (await serverChild.next()) as { url: string };
  const simRequest: SimulatorChildRequest = {
    url: ready.url,
    count: devices,
    tokenPrefix,
    chunkSize,
    timeoutMs: SIMULATION_TIMEOUT_MS,
  };
  const simChild = forkBenchChild<SimulatorChildReport>(
    path.join(__dirname, 'simulator-child.ts'),
    [JSON.stringify(simRequest)],
    SIMULATION_TIMEOUT_MS + 30_000,
  );
  const sim = await simChild.next();
  serverChild.send('stop');
  const usage = (await serverChild.next()) as { cpuMs: number; maxRssMb: number };
  await Promise.all([serverChild.exited, simChild.exited]);
  return {
    server,
    devices,
    chunkSize,
    sim,
    serverCpuMs: usage.cpuMs,
    serverMaxRssMb: usage.maxRssMb,
  };
}

function row(m: Measurement): string {
  const t = m.sim.totals;
  const ok = `${t.updated}/${m.devices} UPDATED`;
  return [
    m.server.padEnd(8),
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
