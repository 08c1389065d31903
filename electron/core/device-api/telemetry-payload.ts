import type { TelemetryEntry } from '../repositories/telemetry';

/**
 * Accepts the four telemetry forms of the device API: `{"k":"v"}`, `[{"k":"v"},{"k2":1}]`,
 * `{"ts":1451649600512,"values":{...}}` and an array of the `ts` form. Entries without `ts` get
 * the server's time. Returns undefined for anything else.
 */
export function parseTelemetry(json: unknown, now: number): TelemetryEntry[] | undefined {
  const items = Array.isArray(json) ? json : [json];
  const entries: TelemetryEntry[] = [];
  for (const item of items) {
    const entry = toEntry(item, now);
    if (!entry) return undefined;
    entries.push(entry);
  }
  return entries;
}

function toEntry(item: unknown, now: number): TelemetryEntry | undefined {
  if (!isPlainObject(item)) return undefined;
  if ('ts' in item && 'values' in item) {
    const { ts, values } = item;
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0 || !isPlainObject(values))
      return undefined;
    return { ts, values };
  }
  return { ts: now, values: item };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
