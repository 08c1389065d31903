// The simulated fleet for the throughput benchmark, in its own process.
import { updateTiming } from 'coap';

import { runSimulation, type SimulationTotals } from '../../electron/simulator';
import type { SimulatedTransport } from '../../electron/simulator/link-factory';
import { ownUsage } from './child-process';

export interface SimulatorChildRequest {
  /** Default mqtt. */
  transport?: SimulatedTransport;
  /** CoAP: wait this long for an ACK before the first retransmission (RFC 7252: 2000). */
  coapAckTimeoutMs?: number;
  url: string;
  count: number;
  tokenPrefix: string;
  chunkSize: number;
  timeoutMs: number;
}

export interface SimulatorChildReport {
  totals: SimulationTotals;
  problems: string[];
  cpuMs: number;
  maxRssMb: number;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as SimulatorChildRequest;
  if (request.coapAckTimeoutMs !== undefined) {
    updateTiming({ ackTimeout: request.coapAckTimeoutMs / 1000, maxRetransmit: 8 });
  }
  const cpuBefore = process.cpuUsage();
  const summary = await runSimulation({
    ...(request.transport ? { transport: request.transport } : {}),
    url: request.url,
    count: request.count,
    tokenPrefix: request.tokenPrefix,
    chunkSize: request.chunkSize,
    packageTypes: ['FIRMWARE'],
    connectConcurrency: 100,
    timeoutMs: request.timeoutMs,
  });
  const report: SimulatorChildReport = {
    totals: summary.totals,
    problems: summary.devices
      .filter((d) => d.state !== 'UPDATED')
      .slice(0, 5)
      .map((d) => `${d.token}: ${d.state} ${d.error ?? ''}`),
    ...ownUsage(cpuBefore),
  };
  process.send?.(report, () => process.exit(0));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
