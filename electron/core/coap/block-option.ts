/**
 * The Block2 option of RFC 7959 §2.2: NUM (block number), M (more blocks follow) and SZX (block
 * size 2^(SZX+4), 16..1024 bytes), packed into 0-3 bytes. SZX 7 is reserved (BERT, only over
 * TCP): a request carrying it is malformed over UDP.
 */
import { MAX_COAP_BLOCK_SIZE } from '../../../shared/protocol/coap-device-api';

export interface BlockOption {
  num: number;
  more: boolean;
  /** Block size in bytes: 16, 32, ..., 1024. */
  size: number;
}

/** The largest block over UDP, and the one the station prefers (ThingsBoard's too). */
export const MAX_BLOCK_SIZE = MAX_COAP_BLOCK_SIZE;
/** NUM is at most 20 bits. */
const MAX_NUM = 0xfffff;

export type BlockParse = { ok: true; block: BlockOption } | { ok: false; reason: string };

export function parseBlockOption(value: Buffer): BlockParse {
  if (value.length > 3) return { ok: false, reason: `Block option of ${value.length} bytes` };
  let raw = 0;
  for (const byte of value) raw = raw * 256 + byte;
  const szx = raw & 0x7;
  if (szx === 7) return { ok: false, reason: 'Block size exponent 7 (BERT) is not used over UDP' };
  return { ok: true, block: { num: raw >>> 4, more: (raw & 0x8) !== 0, size: 1 << (szx + 4) } };
}

export function encodeBlockOption(block: BlockOption): Buffer {
  const szx = Math.log2(block.size) - 4;
  if (!Number.isInteger(szx) || szx < 0 || szx > 6)
    throw new RangeError(`Block size ${block.size} is not a power of two from 16 to 1024`);
  if (!Number.isInteger(block.num) || block.num < 0 || block.num > MAX_NUM)
    throw new RangeError(`Block number ${block.num} does not fit 20 bits`);
  const raw = (block.num << 4) | (block.more ? 0x8 : 0) | szx;
  // The shortest form: RFC 7252 uints drop leading zero bytes (a zero value is empty).
  if (raw === 0) return Buffer.alloc(0);
  if (raw <= 0xff) return Buffer.of(raw);
  if (raw <= 0xffff) return Buffer.of(raw >>> 8, raw & 0xff);
  return Buffer.of(raw >>> 16, (raw >>> 8) & 0xff, raw & 0xff);
}

/** The block of a body of `length` bytes a request asks for; past the end it is empty. */
export interface BlockSlice {
  start: number;
  end: number;
  more: boolean;
  size: number;
  num: number;
}

/**
 * Which bytes answer a request: the block it names, in the size it names (a device asking for
 * small blocks gets them, at the first block or any later one), else block 0 when the body
 * does not fit one message, else undefined (the whole body, no Block2). Stateless: any block,
 * any time, in any order. Past the end the block is empty (the caller answers it as EOF).
 */
export function blockSlice(
  requested: BlockOption | undefined,
  length: number,
): BlockSlice | undefined {
  if (!requested && length <= MAX_BLOCK_SIZE) return undefined;
  const { num, size } = requested ?? { num: 0, size: MAX_BLOCK_SIZE };
  const start = Math.min(num * size, length);
  const end = Math.min(start + size, length);
  return { start, end, more: end < length, size, num };
}
