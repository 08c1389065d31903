/**
 * A job's time left, one rule for the station and the UI: the byte rate since the job started
 * over what is left, but never less than the wait for a silent device's time-out (the job
 * cannot end before that device either moves or times out).
 */

/** A device in flight with no news for this long counts as silent for the ETA. */
export const SILENT_AFTER_MS = 3_000;

export function jobEtaSeconds(input: {
  bytesServed: number;
  bytesTotal: number;
  startedAt: number | null;
  now: number;
  /** When the last silent device's time-out falls due (epoch ms); null when none is silent. */
  silentDeadline: number | null;
}): number | null {
  const { bytesServed, bytesTotal, startedAt, now, silentDeadline } = input;
  let eta: number | null = null;
  if (startedAt !== null && bytesServed > 0) {
    const rate = bytesServed / Math.max(1, (now - startedAt) / 1000);
    eta = Math.max(0, bytesTotal - bytesServed) / rate;
  }
  if (silentDeadline !== null) eta = Math.max(eta ?? 0, (silentDeadline - now) / 1000);
  return eta === null ? null : Math.max(0, Math.round(eta));
}
