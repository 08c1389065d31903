import type { TelemetryRow } from '../../repositories/telemetry-watermarks';
import { CloudHttpError } from '../cloud-errors';
import type { ProgressReporter } from '../sync-deps';
import type { PushContext } from './push-types';

export interface TelemetryPushed {
  points: number;
  /** Devices whose points could not go (not in the cloud yet, or refused). */
  waitingDevices: number;
  /** Set when the pass stopped early (network, 5xx, 429); the watermarks keep what got through. */
  stoppedBy?: unknown;
}

/**
 * The telemetry recorded on site, posted as the device would (POST /api/v1/{token}/telemetry)
 * with the original timestamps. Each device has a watermark: rows numbered above it are sent in
 * order, and it moves only after the cloud accepted a batch. A batch sent twice (an answer lost)
 * lands on the same key and ts, which the cloud overwrites: nothing duplicated.
 */
export async function pushTelemetry(
  ctx: PushContext,
  progress: ProgressReporter,
): Promise<TelemetryPushed> {
  const { deps, client } = ctx;
  const pending = deps.watermarks.pending();
  const total = [...pending.values()].reduce((a, b) => a + b, 0);
  const result: TelemetryPushed = { points: 0, waitingDevices: 0 };
  progress('telemetry', 0, total);
  for (const deviceId of pending.keys()) {
    const device = deps.deviceLinks.get(deviceId);
    if (!device?.cloudId || device.cloudDeletedAt !== null) {
      result.waitingDevices += 1;
      continue;
    }
    for (;;) {
      const rows = deps.watermarks.rowsAfter(
        deviceId,
        deps.watermarks.watermark(deviceId),
        deps.telemetryBatch,
      );
      const last = rows.at(-1);
      if (!last) break;
      try {
        await client.postTelemetry(device.accessToken, toEntries(rows));
      } catch (error) {
        if (
          error instanceof CloudHttpError &&
          error.status >= 400 &&
          error.status < 500 &&
          error.status !== 429
        ) {
          deps.log(
            'warning',
            `The cloud refused the telemetry of ${device.name} (${error.message}); it stays queued`,
          );
          result.waitingDevices += 1;
          break;
        }
        result.stoppedBy = error;
        return result;
      }
      deps.watermarks.setWatermark(deviceId, last.seq);
      result.points += rows.length;
      progress('telemetry', result.points, total);
    }
  }
  return result;
}

/** Rows of one timestamp share an entry: {"ts": ..., "values": {...}}. */
export function toEntries(
  rows: readonly TelemetryRow[],
): { ts: number; values: Record<string, unknown> }[] {
  const byTs = new Map<number, Record<string, unknown>>();
  for (const row of rows) {
    let values = byTs.get(row.ts);
    if (!values) byTs.set(row.ts, (values = {}));
    values[row.key] = row.value;
  }
  return [...byTs].sort((a, b) => a[0] - b[0]).map(([ts, values]) => ({ ts, values }));
}
