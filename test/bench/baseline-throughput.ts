/**
 * Benchmark: the device simulator against the aedes baseline, 100 and 1000 devices each
 * pulling a 3,735,576-byte firmware in 64 KiB chunks. The simulator runs in a child process
 * so this process's CPU time and RSS are the baseline server's own.
 * Run: npx tsx test/bench/baseline-throughput.ts [deviceCounts, e.g. 100,1000]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { runSimulation, type SimulationTotals } from '../../electron/simulator';
import { startAedesBaseline } from './aedes-baseline';

const FIRMWARE_BYTES = 3_735_576;
const CHUNK_SIZE = 65_536;
const SIMULATION_TIMEOUT_MS = 150_000;
/** The child gets a little longer than its own timeout to report, then it is killed. */
const CHILD_KILL_MS = SIMULATION_TIMEOUT_MS + 30_000;
const RSS_SAMPLE_MS = 50;

interface ChildRequest {
  url: string;
  count: number;
}

interface ChildReport {
  totals: SimulationTotals;
  problems: string[];
  cpuMs: number;
  maxRssMb: number;
}

async function runChild(request: ChildRequest): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const summary = await runSimulation({
    url: request.url,
    count: request.count,
    tokenPrefix: 'bench-',
    chunkSize: CHUNK_SIZE,
    packageTypes: ['FIRMWARE'],
    connectConcurrency: 100,
    timeoutMs: SIMULATION_TIMEOUT_MS,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const report: ChildReport = {
    totals: summary.totals,
    problems: summary.devices
      .filter((d) => d.state !== 'UPDATED')
      .slice(0, 5)
      .map((d) => `${d.token}: ${d.state} ${d.error ?? ''}`),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.send?.(report, () => process.exit(0));
}

function simulateInChild(request: ChildRequest): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // Same loader flags as this process (tsx), so the child runs the TypeScript sources too.
    const child = fork(__filename, ['--child', JSON.stringify(request)], {
      execArgv: process.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: ChildReport | undefined;
    const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_KILL_MS);
    child.on('message', (message) => (report = message as ChildReport));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      if (report) resolve(report);
      else
        reject(
          new Error(`Simulator child ended without a report (code ${code}, signal ${signal})`),
        );
    });
  });
}

async function benchmark(count: number): Promise<void> {
  const firmware = randomBytes(FIRMWARE_BYTES);
  const server = await startAedesBaseline({
    firmware,
    title: 'CIM-168',
    version: '1.0.1',
    checksumAlgorithm: 'SHA256',
  });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  const cpuBefore = process.cpuUsage();
  try {
    const child = await simulateInChild({ url: server.url, count });
    const cpu = process.cpuUsage(cpuBefore);
    const t = child.totals;
    const serverCpuMs = Math.round((cpu.user + cpu.system) / 1000);
    const updatedStates = [...server.states.values()].filter((s) => s === 'UPDATED').length;
    console.log(
      [
        `${count} devices, ${FIRMWARE_BYTES} B firmware, ${CHUNK_SIZE} B chunks, SHA256`,
        `  simulator: ${t.updated} UPDATED, ${t.failed} FAILED, ${t.timedOut} TIMEOUT; ` +
          `${(t.bytes / 1e6).toFixed(1)} MB in ${(t.wallMs / 1000).toFixed(2)} s = ${t.mbPerSec.toFixed(1)} MB/s`,
        `  baseline (aedes) process: CPU ${serverCpuMs} ms (${((serverCpuMs / t.wallMs) * 100).toFixed(0)}% of one core), ` +
          `peak RSS ${(peakRss / 1e6).toFixed(0)} MB; ${server.counters.chunkRequests} chunk requests; ` +
          `${updatedStates} devices reported UPDATED`,
        `  simulator process: CPU ${child.cpuMs} ms, max RSS ${child.maxRssMb} MB`,
        // CPU time per GB does not depend on what else the machine runs; wall-time MB/s does.
        `  CPU per GB: baseline ${perGb(serverCpuMs, t.bytes)} s, simulator ${perGb(child.cpuMs, t.bytes)} s`,
        ...child.problems.map((p) => `  ! ${p}`),
      ].join('\n'),
    );
  } finally {
    clearInterval(sampler);
    await server.close();
  }
}

function perGb(cpuMs: number, bytes: number): string {
  return bytes > 0 ? (cpuMs / 1000 / (bytes / 1e9)).toFixed(2) : '-';
}

async function main(): Promise<void> {
  const childAt = process.argv.indexOf('--child');
  if (childAt >= 0) {
    await runChild(JSON.parse(process.argv[childAt + 1] ?? '{}') as ChildRequest);
    return;
  }
  const counts = (process.argv[2] ?? '100,1000').split(',').map(Number);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `Node ${process.version}, ${cpus().length} CPUs, load average ${load}; loopback, simulator in a child process`,
  );
  for (const count of counts) await benchmark(count);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
