/**
 * Sends a response body the way RFC 7959 asks: whole when it fits one message and no block was
 * asked for, else the block asked for (or block 0) with Block2, Size2 (the body's length) and
 * an ETag, so that a device can tell a body that changed between its blocks.
 */
import type { IncomingMessage } from 'coap';

import {
  type BlockOption,
  type BlockSlice,
  blockSlice,
  encodeBlockOption,
  parseBlockOption,
} from './block-option';
import { type CoapResponse, sendResponse } from './coap-server';

/** Content-Format 50 (RFC 7252 §12.3). */
export const CONTENT_FORMAT_JSON = 50;

export type RequestedBlock =
  { ok: true; block: BlockOption | undefined } | { ok: false; reason: string };

/** The Block2 option of a request, if it has one. */
export function requestedBlock(req: IncomingMessage): RequestedBlock {
  const option = req._packet.options?.find((o) => o.name === 'Block2');
  if (!option) return { ok: true, block: undefined };
  const value = Buffer.isBuffer(option.value) ? option.value : Buffer.alloc(0);
  const parsed = parseBlockOption(value);
  return parsed.ok ? { ok: true, block: parsed.block } : { ok: false, reason: parsed.reason };
}

export interface Body {
  length: number;
  /** Bytes [start, end) of the body. */
  read(start: number, end: number): Buffer | Promise<Buffer>;
  /** Names this representation: the same body always gets the same ETag. */
  etag: Buffer;
  contentFormat?: number;
}

/** Answers 2.05 with the requested part of `body`; resolves with the block sent, if any. */
export async function sendBody(
  res: CoapResponse,
  block: BlockOption | undefined,
  body: Body,
): Promise<BlockSlice | undefined> {
  const slice = blockSlice(block, body.length);
  const { start, end } = slice ?? { start: 0, end: body.length };
  const bytes = end > start ? await body.read(start, end) : Buffer.alloc(0);
  const options: Parameters<typeof sendResponse>[3] = {};
  if (body.contentFormat !== undefined) options['Content-Format'] = body.contentFormat;
  if (slice) {
    options.Block2 = encodeBlockOption({ num: slice.num, more: slice.more, size: slice.size });
    options.Size2 = body.length;
    options.ETag = body.etag;
  }
  sendResponse(res, '2.05', bytes, options);
  return slice;
}

/** A JSON body held in memory. */
export function jsonBody(value: unknown): Body {
  const bytes = Buffer.from(JSON.stringify(value));
  return {
    length: bytes.length,
    read: (start, end) => bytes.subarray(start, end),
    etag: etagOf(bytes),
    contentFormat: CONTENT_FORMAT_JSON,
  };
}

/**
 * Eight bytes naming a representation (ETags are 1-8 bytes, RFC 7252 §5.10.6): two 32-bit
 * FNV-1a hashes of its parts. Not a digest: it only has to change when the body does, and it
 * is computed for every block a device asks for.
 */
export function etagOf(...parts: (Buffer | string)[]): Buffer {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part) : part;
    for (const byte of bytes) {
      a = Math.imul(a ^ byte, 0x01000193);
      b = Math.imul(b ^ byte, 0x01000193) ^ (b >>> 15);
    }
  }
  const tag = Buffer.alloc(8);
  tag.writeUInt32BE(a >>> 0, 0);
  tag.writeUInt32BE(b >>> 0, 4);
  return tag;
}
