import type { Execution } from '../../../shared/api/entities';
import { FINAL_STATES } from '../../../shared/protocol/states';
import { formatDuration } from './format';

/** An update in flight with no news for this long is called out: the device may be stuck. */
export const STALL_AFTER_MS = 60_000;

export interface ExecutionFigures {
  /** 0..100 */
  percent: number;
  elapsedMs: number;
  /** Average since the device started downloading; null before any byte was served. */
  bytesPerSecond: number | null;
  etaMs: number | null;
  /** How long an update in flight has gone without progress, once past STALL_AFTER_MS. */
  stalledMs: number | null;
}

/**
 * Progress is bytes served over the package size (the device doesn't report its own count), so
 * after DOWNLOADED the bar stays full while the state badge tells the phase. Speed is averaged
 * over the whole download so it doesn't jump with each 250 ms batch.
 */
export function executionFigures(execution: Execution, now: number): ExecutionFigures {
  const finished = FINAL_STATES.has(execution.state);
  const end = execution.finishedAt ?? (finished ? execution.updatedAt : now);
  const elapsedMs = Math.max(0, end - execution.createdAt);
  const served = Math.min(execution.bytesServed, execution.size);
  const downloadStart =
    execution.history.find((change) => change.state === 'DOWNLOADING')?.at ?? null;
  const downloadEnd =
    execution.history.find((change) => change.state === 'DOWNLOADED')?.at ?? execution.updatedAt;
  let bytesPerSecond: number | null = null;
  if (downloadStart !== null && served > 0) {
    const seconds = (Math.max(downloadEnd, downloadStart) - downloadStart) / 1000;
    bytesPerSecond = seconds > 0 ? served / seconds : null;
  }
  const downloading = execution.state === 'DOWNLOADING';
  const etaMs =
    downloading && bytesPerSecond ? ((execution.size - served) / bytesPerSecond) * 1000 : null;
  let percent = execution.size > 0 ? (served / execution.size) * 100 : 0;
  if (execution.state === 'UPDATED') percent = 100;
  const quietMs = finished ? 0 : now - execution.updatedAt;
  const stalledMs = quietMs >= STALL_AFTER_MS ? quietMs : null;
  return {
    percent: Math.max(0, Math.min(100, percent)),
    elapsedMs,
    bytesPerSecond,
    etaMs,
    stalledMs,
  };
}

/** "Device X stopped downloading at 42 % 90 s ago": what happened, and what the technician can do. */
export function stallAdvice(execution: Execution, stalledMs: number): string {
  const served = Math.min(execution.bytesServed, execution.size);
  const percent = execution.size > 0 ? Math.floor((served / execution.size) * 100) : 0;
  const ago = formatDuration(stalledMs);
  const what =
    execution.state === 'DOWNLOADING'
      ? `stopped downloading at ${percent} %`
      : execution.state === 'QUEUED' || execution.state === 'INITIATED'
        ? 'has not started the update'
        : `has reported nothing since ${execution.state}`;
  return `Device ${execution.deviceName} ${what} ${ago} ago. Check that it is powered and connected (a device normally resumes when it reconnects), or assign the package again.`;
}
