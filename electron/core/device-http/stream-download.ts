/**
 * Writes bytes [start, end) of a package to an HTTP response straight from the blob file, a
 * piece at a time and only as fast as the device reads: a 100 MB image costs one piece of
 * memory per device, and a device that stops reading is cut off instead of held for ever.
 */
import type { ServerResponse } from 'node:http';

import type { Download } from '../device-api/device-service';

/** Read and written at once; large enough that a fast link is not held up by the reads. */
const PIECE_BYTES = 64 * 1024;

export type StreamOutcome = 'done' | 'gone' | 'stalled' | { readError: unknown };

/**
 * `first` is the first piece, already read (so that a read error could still be a 500 before
 * the headers went out). Progress is reported as the bytes are handed to the socket: a whole
 * file streamed to a device shows its progress as it goes, as chunks do.
 */
export async function streamDownload(
  res: ServerResponse,
  download: Download,
  start: number,
  end: number,
  first: Buffer,
  stallMs: number,
): Promise<StreamOutcome> {
  let position = start;
  let piece: Buffer = first;
  for (;;) {
    if (res.destroyed) return 'gone';
    if (piece.length === 0) break;
    position += piece.length;
    const reached = position;
    const flowing = res.write(piece, (error) => {
      if (!error) download.served(reached);
    });
    if (!flowing && !(await drained(res, stallMs))) {
      if (res.destroyed) return 'gone';
      res.destroy();
      return 'stalled';
    }
    if (position >= end) break;
    try {
      piece = await download.read(position, Math.min(PIECE_BYTES, end - position));
    } catch (error) {
      // The headers are out: cutting the connection is the only way to say the body is short.
      res.destroy();
      return { readError: error };
    }
  }
  res.end();
  return 'done';
}

/** The first piece of a range, or empty when the range is. */
export async function firstPiece(download: Download, start: number, end: number): Promise<Buffer> {
  return end > start ? download.read(start, Math.min(PIECE_BYTES, end - start)) : Buffer.alloc(0);
}

/** Resolves true once the socket takes more, false when it closed or took nothing for stallMs. */
function drained(res: ServerResponse, stallMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => finish(true);
    const onClose = (): void => finish(false);
    const timer = setTimeout(() => finish(false), stallMs);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
