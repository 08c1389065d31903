import path from 'node:path';

import type { SimulatedTransport } from '../../electron/simulator/link-factory';
import { forkBenchChild } from './child-process';
import type { ServerChildRequest, ServerKind } from './server-child';
import type { SimulatorChildReport, SimulatorChildRequest } from './simulator-child';

export const FIRMWARE_BYTES = 3_735_576;
const SIMULATION_TIMEOUT_MS = 180_000;

export interface Measurement {
  server: ServerKind;
  transport: SimulatedTransport;
  devices: number;
  chunkSize: number;
  sim: SimulatorChildReport;
  serverCpuMs: number;
  serverMaxRssMb: number;
}

/** One server (in its own process) serving one simulated fleet (in another), over one transport. */
export async function measure(
  server: ServerKind,
  devices: number,
  chunkSize: number,
  jobConcurrency = 0,
  transport: SimulatedTransport = 'mqtt',
): Promise<Measurement> {
  const tokenPrefix = 'bench-';
  const serverRequest: ServerChildRequest = {
    kind: server,
    devices,
    tokenPrefix,
    firmwareBytes: FIRMWARE_BYTES,
    jobConcurrency,
  };
  const serverChild = forkBenchChild<
    { url: string; urls: Record<string, string> } | { cpuMs: number; maxRssMb: number }
  >(
    path.join(__dirname, 'server-child.ts'),
    [JSON.stringify(serverRequest)],
    SIMULATION_TIMEOUT_MS + 120_000,
  );
  const ready = (await serverChild.next()) as { url: string; urls: Record<string, string> };
  const url = ready.urls[transport];
  if (url === undefined) throw new Error(`${server} does not serve ${transport}`);
  const simRequest: SimulatorChildRequest = {
    transport,
    url,
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
    transport,
    devices,
    chunkSize,
    sim,
    serverCpuMs: usage.cpuMs,
    serverMaxRssMb: usage.maxRssMb,
  };
}
