/**
 * Benchmark: 100 devices downloading the seed's 3,735,576-byte firmware from the station over
 * CoAP in 1024-byte blocks (one datagram per request), on a clean link and through a relay that
 * drops a seeded share of the datagrams both ways, beside the MQTT figure in the same run:
 * MB/s, the station's CPU time and peak RSS, and the retransmissions the lossy link caused
 * (the devices' repeated requests, and those the station answered from its cache).
 * Station, devices and this orchestrator (which runs the relay) are separate processes.
 * Figures printed, never asserted.
 * Run: npx tsx test/bench/coap-transfer.ts [devices] [dropRate] [ackTimeoutMs] [cases]
 * (cases: a comma list of mqtt, coap, coap-lossy; default all three).
 */
import { cpus, loadavg } from 'node:os';
import path from 'node:path';

import type { SimulatedTransport } from '../../electron/simulator/link-factory';
import { UdpRelay } from '../support/udp-relay';
import { forkBenchChild } from './child-process';
import { FIRMWARE_BYTES } from './measure-throughput';
import type { ServerChildRequest } from './server-child';
import type { SimulatorChildReport, SimulatorChildRequest } from './simulator-child';

const SIMULATION_TIMEOUT_MS = 480_000;

interface Case {
  name: string;
  label: string;
  transport: SimulatedTransport;
  chunkSize: number;
  dropRate: number;
}

interface ServerUsage {
  cpuMs: number;
  runPeakRssMb: number;
  coap?: { requests: number; duplicates: number };
}

async function run(devices: number, c: Case, ackTimeoutMs: number): Promise<string> {
  const tokenPrefix = 'bench-';
  const serverRequest: ServerChildRequest = {
    kind: 'station',
    devices,
    tokenPrefix,
    firmwareBytes: FIRMWARE_BYTES,
    jobConcurrency: 0,
  };
  const server = forkBenchChild<{ urls: Record<string, string> } | ServerUsage>(
    path.join(__dirname, 'server-child.ts'),
    [JSON.stringify(serverRequest)],
    SIMULATION_TIMEOUT_MS + 120_000,
  );
  const { urls } = (await server.next()) as { urls: Record<string, string> };
  let url = urls[c.transport] ?? '';
  let relay: UdpRelay | undefined;
  if (c.dropRate > 0) {
    const target = new URL(url);
    relay = await UdpRelay.start({
      target: { host: target.hostname, port: Number(target.port) },
      dropRate: c.dropRate,
      seed: 20260705,
    });
    url = `coap://127.0.0.1:${relay.port}`;
  }
  const simRequest: SimulatorChildRequest = {
    transport: c.transport,
    ...(c.transport === 'coap' && { coapAckTimeoutMs: ackTimeoutMs }),
    url,
    count: devices,
    tokenPrefix,
    chunkSize: c.chunkSize,
    timeoutMs: SIMULATION_TIMEOUT_MS,
  };
  const sim = await forkBenchChild<SimulatorChildReport>(
    path.join(__dirname, 'simulator-child.ts'),
    [JSON.stringify(simRequest)],
    SIMULATION_TIMEOUT_MS + 30_000,
  ).next();
  server.send('stop');
  const usage = (await server.next()) as ServerUsage;
  await server.exited;
  await relay?.close();
  const t = sim.totals;
  const parts = [
    c.label.padEnd(26),
    `${t.mbPerSec.toFixed(1).padStart(6)} MB/s`,
    `${(t.wallMs / 1000).toFixed(1).padStart(6)} s`,
    `station CPU ${(usage.cpuMs / 1000).toFixed(1).padStart(5)} s`,
    `peak RSS ${String(usage.runPeakRssMb).padStart(4)} MB`,
    `devices' CPU ${(sim.cpuMs / 1000).toFixed(1)} s`,
    `${t.updated}/${devices} UPDATED`,
  ];
  if (c.transport === 'coap') {
    parts.push(
      `${usage.coap?.requests ?? 0} requests, ${usage.coap?.duplicates ?? 0} repeats answered from the cache`,
    );
    if (relay) {
      parts.push(
        `relay: ${relay.stats.dropped} datagrams dropped, ${relay.stats.retransmissions} retransmissions`,
      );
    }
  }
  return [parts.join('  '), ...sim.problems.map((p) => `  ! ${p}`)].join('\n');
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 100);
  const dropRate = Number(process.argv[3] ?? 0.01);
  const ackTimeoutMs = Number(process.argv[4] ?? 500);
  const chosen = (process.argv[5] ?? 'mqtt,coap,coap-lossy').split(',');
  console.log(
    `CoAP transfer: ${devices} devices, ${FIRMWARE_BYTES}-byte firmware; CoAP ACK timeout ` +
      `${ackTimeoutMs} ms; Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  const cases: Case[] = [
    {
      name: 'mqtt',
      label: 'MQTT, 64 KiB chunks',
      transport: 'mqtt',
      chunkSize: 65_536,
      dropRate: 0,
    },
    { name: 'coap', label: 'CoAP, 1 KiB blocks', transport: 'coap', chunkSize: 1024, dropRate: 0 },
    {
      name: 'coap-lossy',
      label: `CoAP, 1 KiB, ${(dropRate * 100).toFixed(0)}% lost`,
      transport: 'coap',
      chunkSize: 1024,
      dropRate,
    },
  ];
  for (const c of cases.filter((k) => chosen.includes(k.name))) {
    console.log(`  ${await run(devices, c, ackTimeoutMs)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
