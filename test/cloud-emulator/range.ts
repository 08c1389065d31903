import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * How ThingsBoard answers a Range request on `GET /api/otaPackage/{id}/download`. TB returns
 * `ResponseEntity.ok()` with a `ByteArrayResource` and its Content-Length; Spring MVC then
 * handles Range itself (AbstractMessageConverterMethodProcessor, for a Resource that is not an
 * InputStreamResource and a status of 200), with HttpRange's parsing rules:
 * - `Accept-Ranges: bytes` on every answer;
 * - one satisfiable range: 206 with `Content-Range: bytes start-end/length` and only those bytes;
 * - a range it can't parse or satisfy (start at or past the end, `last < first`, no `bytes=`):
 *   416 with `Content-Range: bytes *\/length`, and the whole resource still written as the body
 *   (the converter is handed the Resource anyway), so a client must not read a 416's body;
 * - no validators: TB sets no ETag or Last-Modified, and this code path never looks at If-Range.
 * Not emulated: several ranges at once (Spring sends multipart/byteranges); the emulator then
 * answers with the whole file, as a server ignoring Range may.
 */
export interface RangeOptions {
  /** Answer every request whole (200, no Accept-Ranges), as a server or proxy ignoring Range. */
  ignoreRange: boolean;
  /**
   * Not TB: send a strong ETag and honour If-Range with it (a caching proxy in front of the cloud
   * may), to exercise a client's If-Range path.
   */
  etag: boolean;
}

export interface RangeAnswer {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  body: Buffer;
}

const MAX_RANGES = 100;

export function answerRange(
  data: Buffer,
  headers: IncomingHttpHeaders,
  options: RangeOptions,
): RangeAnswer {
  const whole: RangeAnswer = { status: 200, headers: {}, body: data };
  if (options.ignoreRange) return whole;
  const etag = options.etag ? etagOf(data) : undefined;
  const common: Record<string, string> = {
    'Accept-Ranges': 'bytes',
    ...(etag ? { ETag: etag } : {}),
  };
  whole.headers = common;
  const range = headers.range?.trim();
  if (!range) return whole;
  // A changed representation (its validator no longer matches) is sent whole (RFC 9110 §13.1.5).
  if (etag && headers['if-range'] !== undefined && headers['if-range'] !== etag) return whole;
  const parsed = parseRanges(range);
  if (parsed === 'several') return whole;
  const region = parsed === 'invalid' ? undefined : regionOf(parsed, data.length);
  if (!region)
    return {
      status: 416,
      headers: { ...common, 'Content-Range': `bytes */${data.length}` },
      body: data,
    };
  return {
    status: 206,
    headers: { ...common, 'Content-Range': `bytes ${region.start}-${region.end}/${data.length}` },
    body: data.subarray(region.start, region.end + 1),
  };
}

type ParsedRange = { first: number; last: number | null } | { suffix: number };

function parseRanges(header: string): ParsedRange | 'invalid' | 'several' {
  if (!header.startsWith('bytes=')) return 'invalid';
  const specs = header
    .slice('bytes='.length)
    .split(',')
    .map((s) => s.trim());
  if (specs.length > MAX_RANGES) return 'invalid';
  const ranges = specs.map(parseOne);
  if (ranges.some((r) => r === undefined)) return 'invalid';
  if (ranges.length > 1) return 'several';
  return ranges[0] ?? 'invalid';
}

function parseOne(spec: string): ParsedRange | undefined {
  const match = /^(\d*)-(\d*)$/.exec(spec);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') return last === '' ? undefined : { suffix: Number(last) };
  const from = Number(first);
  const to = last === '' ? null : Number(last);
  if (to !== null && to < from) return undefined;
  return { first: from, last: to };
}

function regionOf(range: ParsedRange, length: number): { start: number; end: number } | undefined {
  const start = 'suffix' in range ? Math.max(0, length - range.suffix) : range.first;
  const end =
    'suffix' in range || range.last === null ? length - 1 : Math.min(range.last, length - 1);
  // HttpRange.toResourceRegion: "'position' exceeds the resource length".
  return start < length ? { start, end } : undefined;
}

function etagOf(data: Buffer): string {
  return `"${createHash('sha256').update(data).digest('hex').slice(0, 32)}"`;
}
