/**
 * The `Range` header of a whole-file OTA download (RFC 9110 §14), so that a device or
 * `curl -C -` resumes where it stopped. One range only: a multi-range request is answered with
 * the whole file, which the RFC allows, since no device asks for several pieces at once.
 */
export type RangeRequest =
  | { kind: 'whole' }
  /** Bytes [start, end) of the file. */
  | { kind: 'range'; start: number; end: number }
  | { kind: 'unsatisfiable' };

const SINGLE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i;

/**
 * `header` as received (undefined when absent), `size` the file's. Anything unparsable is
 * ignored (the whole file), as the RFC says a server may do with a Range it does not understand.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const match = SINGLE.exec(header);
  if (!match) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    // "bytes=-N": the last N bytes.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (last === '') return { kind: 'range', start, end: size };
  const lastByte = Number(last);
  // "bytes=10-5" is not a range at all: ignored, like any other invalid one.
  if (lastByte < start) return { kind: 'whole' };
  return { kind: 'range', start, end: Math.min(size, lastByte + 1) };
}

/** `bytes 100-199/3735576` for a 206; `bytes *\/3735576` for a 416. */
export function contentRange(range: RangeRequest, size: number): string {
  return range.kind === 'range'
    ? `bytes ${range.start}-${range.end - 1}/${size}`
    : `bytes */${size}`;
}
