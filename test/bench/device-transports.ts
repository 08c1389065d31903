/**
 * Benchmark: 100 devices downloading the seed's 3,735,576-byte firmware from the station over
 * each device transport, in the same run: MB/s, the station's CPU time and peak RSS. Every
 * row is the same station, fleet and chunk size; only the transport differs. A transport is a
 * row: add it to TRANSPORT_ROWS. Server and devices are separate processes on 127.0.0.1.
 * Figures printed, never asserted.
 * Run: npx tsx test/bench/device-transports.ts [devices] [chunkBytes]
 */
import { cpus, loadavg } from 'node:os';

import type { SimulatedTransport } from '../../electron/simulator/link-factory';
import { FIRMWARE_BYTES, measure, type Measurement } from './measure-throughput';

interface TransportRow {
  transport: SimulatedTransport;
  label: string;
}

const TRANSPORT_ROWS: readonly TransportRow[] = [
  { transport: 'mqtt', label: 'MQTT' },
  { transport: 'http', label: 'HTTP' },
];

function row(label: string, m: Measurement): string {
  const t = m.sim.totals;
  return [
    label.padEnd(6),
    `${t.mbPerSec.toFixed(0).padStart(6)} MB/s`,
    `${(t.wallMs / 1000).toFixed(2).padStart(7)} s`,
    `station CPU ${(m.serverCpuMs / 1000).toFixed(2).padStart(6)} s`,
    `peak RSS ${String(m.serverMaxRssMb).padStart(4)} MB`,
    `${t.updated}/${m.devices} UPDATED`,
  ].join('  ');
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 100);
  const chunkSize = Number(process.argv[3] ?? 65536);
  console.log(
    `Device transports: ${devices} devices, ${FIRMWARE_BYTES}-byte firmware, ${chunkSize / 1024} KiB chunks; ` +
      `Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  for (const { transport, label } of TRANSPORT_ROWS) {
    const m = await measure('station', devices, chunkSize, 0, transport);
    console.log(`  ${row(label, m)}`);
    for (const p of m.sim.problems) console.log(`  ! ${p}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
