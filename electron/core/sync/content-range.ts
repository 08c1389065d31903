/** A 206's `Content-Range: bytes first-last/complete` (RFC 9110 §14.4); complete may be `*`. */
export interface ContentRange {
  first: number;
  last: number;
  /** The whole representation's length, or null when the server wrote `*`. */
  complete: number | null;
}

/**
 * Parses a byte range as a 206 states it; undefined for anything else (another unit, an
 * unsatisfied-range form `bytes *\/n`, last before first, or a last past the complete length),
 * so the caller starts over instead of appending bytes it can't place.
 */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [, firstText = '', lastText = '', completeText = ''] = match;
  const first = Number(firstText);
  const last = Number(lastText);
  const complete = completeText === '*' ? null : Number(completeText);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return undefined;
  if (complete !== null && (!Number.isSafeInteger(complete) || last >= complete)) return undefined;
  return { first, last, complete };
}
