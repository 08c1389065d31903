/**
 * Incremental MurmurHash3 (x86_32 and x64_128, seed 0) for docs/device-protocol.md#checksums.
 *
 * Pure TypeScript so the renderer can use it too. Incremental because firmware images stream
 * through it in whatever chunks the reader delivers: the bytes of an unfinished block are kept
 * until the next update(), so any chunking gives the same digest as hashing the whole image.
 *
 * The x64 variant works on 64-bit words. BigInt would be simplest but is far too slow for a
 * 200 MiB import, so every 64-bit value is held as two int32 halves (`…h` high, `…l` low) and
 * every step stays in int32 arithmetic (Math.imul, shifts, `| 0`), which V8 compiles to plain
 * machine integer code. Measured: this is ~1.4x faster than computing the high word of a
 * product with exact doubles.
 *
 * Length semantics follow the reference C code and Guava (which ThingsBoard uses): the length is
 * an `int`, so it is taken modulo 2^32 and, for x64, sign-extended to 64 bits. This only matters
 * for inputs of 2 GiB and more, where it keeps our digests equal to the server's.
 */

const X86_C1 = 0xcc9e2d51;
const X86_C2 = 0x1b873593;

// x64_128 constants, split into 32-bit halves (H = high, L = low) and the low half's 16-bit
// limbs (L0 = low 16 bits, L1 = high 16 bits) that mulHi32 needs.
const C1H = 0x87c37b91 | 0;
const C1L = 0x114253d5;
const C1L0 = C1L & 0xffff;
const C1L1 = C1L >>> 16;
const C2H = 0x4cf5ad43;
const C2L = 0x2745937f;
const C2L0 = C2L & 0xffff;
const C2L1 = C2L >>> 16;
const F1H = 0xff51afd7 | 0;
const F1L = 0xed558ccd | 0;
const F2H = 0xc4ceb9fe | 0;
const F2L = 0x1a85ec53;

/**
 * High 32 bits of the 64-bit product of uint32 `a` and uint32 `b` = b1 * 2^16 + b0 (the limbs
 * are passed in because b is always a constant). Schoolbook on 16-bit limbs: each partial
 * product is below 2^32, so Math.imul computes it exactly (as a possibly negative int32, which
 * `>>> 16` and `& 0xffff` read back as unsigned). The result is exact modulo 2^32.
 */
function mulHi32(a: number, b0: number, b1: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const p00 = Math.imul(a0, b0);
  const p01 = Math.imul(a0, b1);
  const p10 = Math.imul(a1, b0);
  const p11 = Math.imul(a1, b1);
  const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (middle >>> 16)) | 0;
}

/**
 * High word of (ah, al) * (bh, bl) modulo 2^64; the low word is simply Math.imul(al, bl).
 * bl0 and bl1 are bl's 16-bit limbs.
 */
function mulHigh64(ah: number, al: number, bh: number, bl: number, bl0: number, bl1: number) {
  return (mulHi32(al, bl0, bl1) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

/** The carry out of a 32-bit addition whose wrapped result is `sum` and one addend `addend`. */
function carryOf(sum: number, addend: number): number {
  return sum >>> 0 < addend >>> 0 ? 1 : 0;
}

/** Little-endian bytes of int32 values, in order. */
function littleEndianBytes(...words: number[]): Uint8Array {
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((word, index) => view.setUint32(index * 4, word >>> 0, true));
  return out;
}

function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Feeds `data` to a block hasher: completes the pending partial block first, then hashes whole
 * blocks straight from `data` (no copy), then keeps the remainder as the new partial block.
 */
abstract class BlockHasher {
  /** Total bytes fed so far; a double is exact far beyond any file size. */
  protected length = 0;
  protected readonly pending: Uint8Array;
  private readonly pendingView: DataView;
  protected pendingLength = 0;

  protected constructor(private readonly blockSize: number) {
    this.pending = new Uint8Array(blockSize);
    this.pendingView = new DataView(this.pending.buffer);
  }

  /** Hashes the whole blocks of `view` in [start, end); end - start is a multiple of blockSize. */
  protected abstract mixBlocks(view: DataView, start: number, end: number): void;

  update(data: Uint8Array): this {
    const total = data.length;
    this.length += total;
    let offset = 0;
    if (this.pendingLength > 0) {
      offset = Math.min(this.blockSize - this.pendingLength, total);
      this.pending.set(data.subarray(0, offset), this.pendingLength);
      this.pendingLength += offset;
      if (this.pendingLength < this.blockSize) return this;
      this.mixBlocks(this.pendingView, 0, this.blockSize);
      this.pendingLength = 0;
    }
    const end = total - ((total - offset) % this.blockSize);
    if (end > offset) this.mixBlocks(viewOf(data), offset, end);
    if (end < total) {
      this.pending.set(data.subarray(end), 0);
      this.pendingLength = total - end;
    }
    return this;
  }

  /** The unfinished block, zero-padded to a full block, as the tail step reads it. */
  protected paddedTail(): DataView {
    const tail = new Uint8Array(this.blockSize);
    tail.set(this.pending.subarray(0, this.pendingLength));
    return new DataView(tail.buffer);
  }
}

/** MurmurHash3_x86_32, seed 0. digest(): the 32-bit value's little-endian bytes. */
export class Murmur3x86_32 extends BlockHasher {
  private h = 0;

  constructor() {
    super(4);
  }

  protected mixBlocks(view: DataView, start: number, end: number): void {
    let h = this.h;
    for (let i = start; i < end; i += 4) {
      let k = view.getUint32(i, true);
      k = Math.imul(k, X86_C1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, X86_C2);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    this.h = h;
  }

  /** Does not change the state: more update() calls may follow. */
  digest(): Uint8Array {
    let h = this.h;
    if (this.pendingLength > 0) {
      let k = this.paddedTail().getUint32(0, true);
      k = Math.imul(k, X86_C1);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, X86_C2);
      h ^= k;
    }
    h ^= this.length | 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return littleEndianBytes(h);
  }
}

/** MurmurHash3_x64_128, seed 0. digest(): little-endian h1 then little-endian h2. */
export class Murmur3x64_128 extends BlockHasher {
  private h1h = 0;
  private h1l = 0;
  private h2h = 0;
  private h2l = 0;

  constructor() {
    super(16);
  }

  /** The hot loop: all on local int32 halves, in the reference's order of steps. */
  protected mixBlocks(view: DataView, start: number, end: number): void {
    let h1h = this.h1h;
    let h1l = this.h1l;
    let h2h = this.h2h;
    let h2l = this.h2l;
    let t: number;
    let sum: number;
    for (let i = start; i < end; i += 16) {
      let k1l = view.getInt32(i, true);
      let k1h = view.getInt32(i + 4, true);
      let k2l = view.getInt32(i + 8, true);
      let k2h = view.getInt32(i + 12, true);

      // k1 *= C1; k1 = rotl64(k1, 31); k1 *= C2; h1 ^= k1
      k1h = mulHigh64(k1h, k1l, C1H, C1L, C1L0, C1L1);
      k1l = Math.imul(k1l, C1L);
      t = k1h;
      k1h = (k1h << 31) | (k1l >>> 1);
      k1l = (k1l << 31) | (t >>> 1);
      k1h = mulHigh64(k1h, k1l, C2H, C2L, C2L0, C2L1);
      k1l = Math.imul(k1l, C2L);
      h1h ^= k1h;
      h1l ^= k1l;

      // h1 = rotl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729 (as h1 * 4 + h1 + c)
      t = h1h;
      h1h = (h1h << 27) | (h1l >>> 5);
      h1l = (h1l << 27) | (t >>> 5);
      sum = (h1l + h2l) | 0;
      h1h = (h1h + h2h + (sum >>> 0 < h2l >>> 0 ? 1 : 0)) | 0;
      h1l = sum;
      t = (h1h << 2) | (h1l >>> 30);
      sum = ((h1l << 2) + h1l) | 0;
      h1h = (t + h1h + (sum >>> 0 < h1l >>> 0 ? 1 : 0)) | 0;
      h1l = sum;
      sum = (h1l + 0x52dce729) | 0;
      h1h = (h1h + (sum >>> 0 < h1l >>> 0 ? 1 : 0)) | 0;
      h1l = sum;

      // k2 *= C2; k2 = rotl64(k2, 33); k2 *= C1; h2 ^= k2
      k2h = mulHigh64(k2h, k2l, C2H, C2L, C2L0, C2L1);
      k2l = Math.imul(k2l, C2L);
      t = k2h; // rotating by 33 = swapping the halves, then rotating by 1
      k2h = (k2l << 1) | (t >>> 31);
      k2l = (t << 1) | (k2l >>> 31);
      k2h = mulHigh64(k2h, k2l, C1H, C1L, C1L0, C1L1);
      k2l = Math.imul(k2l, C1L);
      h2h ^= k2h;
      h2l ^= k2l;

      // h2 = rotl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
      t = h2h;
      h2h = (h2h << 31) | (h2l >>> 1);
      h2l = (h2l << 31) | (t >>> 1);
      sum = (h2l + h1l) | 0;
      h2h = (h2h + h1h + (sum >>> 0 < h1l >>> 0 ? 1 : 0)) | 0;
      h2l = sum;
      t = (h2h << 2) | (h2l >>> 30);
      sum = ((h2l << 2) + h2l) | 0;
      h2h = (t + h2h + (sum >>> 0 < h2l >>> 0 ? 1 : 0)) | 0;
      h2l = sum;
      sum = (h2l + 0x38495ab5) | 0;
      h2h = (h2h + (sum >>> 0 < h2l >>> 0 ? 1 : 0)) | 0;
      h2l = sum;
    }
    this.h1h = h1h;
    this.h1l = h1l;
    this.h2h = h2h;
    this.h2l = h2l;
  }

  /** Does not change the state: more update() calls may follow. */
  digest(): Uint8Array {
    const h1 = new Word64(this.h1h, this.h1l);
    const h2 = new Word64(this.h2h, this.h2l);
    if (this.pendingLength > 0) {
      // Bytes past the tail are zero, so reading whole words equals the reference's switch.
      const tail = this.paddedTail();
      if (this.pendingLength > 8) {
        const k2 = new Word64(tail.getInt32(12, true), tail.getInt32(8, true));
        h2.xor(k2.mul(C2H, C2L).rotl(33).mul(C1H, C1L));
      }
      const k1 = new Word64(tail.getInt32(4, true), tail.getInt32(0, true));
      h1.xor(k1.mul(C1H, C1L).rotl(31).mul(C2H, C2L));
    }
    // The reference's `int len`, sign-extended to 64 bits (see the file comment).
    const length = new Word64((this.length | 0) >> 31, this.length | 0);
    h1.xor(length);
    h2.xor(length);
    h1.add(h2);
    h2.add(h1);
    h1.fmix();
    h2.fmix();
    h1.add(h2);
    h2.add(h1);
    return littleEndianBytes(h1.l, h1.h, h2.l, h2.h);
  }
}

/** A mutable 64-bit word for the once-per-digest steps, where clarity beats speed. */
class Word64 {
  constructor(
    public h: number,
    public l: number,
  ) {}

  xor(other: Word64): this {
    this.h ^= other.h;
    this.l ^= other.l;
    return this;
  }

  add(other: Word64): this {
    const low = (this.l + other.l) | 0;
    this.h = (this.h + other.h + carryOf(low, other.l)) | 0;
    this.l = low;
    return this;
  }

  /** Multiplies by the constant (ch, cl) modulo 2^64. */
  mul(ch: number, cl: number): this {
    this.h = mulHigh64(this.h, this.l, ch, cl, cl & 0xffff, cl >>> 16);
    this.l = Math.imul(this.l, cl);
    return this;
  }

  /** Rotates left by 0 < bits < 64. */
  rotl(bits: number): this {
    let h = this.h;
    let l = this.l;
    if (bits >= 32) {
      [h, l] = [l, h];
      bits -= 32;
    }
    if (bits > 0) {
      this.h = (h << bits) | (l >>> (32 - bits));
      this.l = (l << bits) | (h >>> (32 - bits));
    } else {
      this.h = h;
      this.l = l;
    }
    return this;
  }

  /** x ^= x >>> 33: the high word moves into the low word, shifted by one more bit. */
  private xorShift33(): void {
    this.l ^= this.h >>> 1;
  }

  fmix(): this {
    this.xorShift33();
    this.mul(F1H, F1L);
    this.xorShift33();
    this.mul(F2H, F2L);
    this.xorShift33();
    return this;
  }
}
