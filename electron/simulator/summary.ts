import type { DeviceResult, SimulationSummary } from './types';

export function buildSummary(devices: DeviceResult[], wallMs: number): SimulationSummary {
  const bytes = devices.reduce((sum, d) => sum + d.bytes, 0);
  const count = (state: string): number => devices.filter((d) => d.state === state).length;
  return {
    devices,
    totals: {
      devices: devices.length,
      updated: count('UPDATED'),
      failed: count('FAILED'),
      timedOut: count('TIMEOUT'),
      connected: count('CONNECTED'),
      bytes,
      wallMs: Math.round(wallMs),
      mbPerSec: wallMs > 0 ? round2(bytes / 1e6 / (wallMs / 1000)) : 0,
    },
  };
}

const MAX_LISTED_PROBLEMS = 20;

/** Human text for the CLI: totals first, then the devices that did not make it. */
export function formatSummary(summary: SimulationSummary): string {
  const t = summary.totals;
  const lines = [
    `Devices: ${t.devices}  updated: ${t.updated}  failed: ${t.failed}  timed out: ${t.timedOut}` +
      (t.connected > 0 ? `  connected: ${t.connected}` : ''),
    `Received: ${formatBytes(t.bytes)} in ${(t.wallMs / 1000).toFixed(2)} s (${t.mbPerSec.toFixed(2)} MB/s)`,
  ];
  const durations = summary.devices.map((d) => d.durationMs).sort((a, b) => a - b);
  if (durations.length > 0) {
    lines.push(
      `Per device: median ${percentile(durations, 0.5)} ms, p95 ${percentile(durations, 0.95)} ms, ` +
        `max ${durations[durations.length - 1]} ms; reconnects: ${sum(summary.devices.map((d) => d.reconnects))}`,
    );
  }
  const problems = summary.devices.filter((d) => d.state === 'FAILED' || d.state === 'TIMEOUT');
  for (const d of problems.slice(0, MAX_LISTED_PROBLEMS)) {
    lines.push(`  ${d.token}: ${d.state}${d.error ? ` - ${d.error}` : ''}`);
  }
  if (problems.length > MAX_LISTED_PROBLEMS) {
    lines.push(`  ... and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  }
  return lines.join('\n');
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
