/**
 * The Uri-Query of an OTA download, as ThingsBoard's CoAP resource reads it: `title` and
 * `version` are optional (each must match the assigned package when given), `size` and `chunk`
 * default to 0; `size` 0 is the whole file. ThingsBoard answers a non-numeric size with 5.00;
 * it is the device's mistake, so the station says 4.00.
 */
import { truncate } from '../../../shared/text/truncate';

export interface OtaQuery {
  title: string | undefined;
  version: string | undefined;
  size: number;
  chunk: number;
}

export type OtaQueryParse = { ok: true; query: OtaQuery } | { ok: false; reason: string };

export function parseOtaQuery(params: ReadonlyMap<string, string>): OtaQueryParse {
  const size = count(params.get('size'));
  if (size === undefined)
    return {
      ok: false,
      reason: `size "${truncate(params.get('size') ?? '', 20)}" is not a whole number`,
    };
  const chunk = count(params.get('chunk'));
  if (chunk === undefined)
    return {
      ok: false,
      reason: `chunk "${truncate(params.get('chunk') ?? '', 20)}" is not a whole number`,
    };
  if (!Number.isSafeInteger(size * chunk))
    return { ok: false, reason: `chunk ${chunk} of ${size} bytes is past any file` };
  return {
    ok: true,
    query: { title: params.get('title'), version: params.get('version'), size, chunk },
  };
}

/** Bytes [start, end) of a file of `fileSize` bytes that a query asks for; empty past the end. */
export function otaSlice(query: OtaQuery, fileSize: number): { start: number; end: number } {
  if (query.size === 0) return { start: 0, end: fileSize };
  const start = Math.min(query.size * query.chunk, fileSize);
  return { start, end: Math.min(start + query.size, fileSize) };
}

/** Absent or empty is 0, as in ThingsBoard. */
function count(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return 0;
  if (!/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}
