import { truncate } from '../../../shared/text/truncate';

/**
 * The chunk-size payload of a chunk request: decimal text (`8192`), also JSON-quoted (`"8192"`,
 * which makes ThingsBoard drop the connection). Empty means "as last time for this requestId",
 * or the whole file when there was no last time.
 */
export type ChunkSizeRequest =
  { kind: 'size'; bytes: number } | { kind: 'empty' } | { kind: 'invalid'; reason: string };

export function parseChunkSize(payload: Buffer): ChunkSizeRequest {
  let text = payload.toString('utf8').trim();
  if (text.length === 0) return { kind: 'empty' };
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"'))
    text = text.slice(1, -1).trim();
  if (!/^\d+$/.test(text))
    return {
      kind: 'invalid',
      reason: `chunk size "${truncate(text, 32)}" is not a positive integer`,
    };
  // Any digit string is a size, however long: one over the cap is PAYLOAD_TOO_LARGE, not a
  // FAILURE (an absurd one becomes Infinity, which is over every cap).
  const bytes = Number(text);
  if (bytes === 0) return { kind: 'empty' };
  return { kind: 'size', bytes };
}
