import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { x64 as referenceX64, x86 as referenceX86 } from 'murmurhash3js-revisited';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  checksumMatches,
  checksumOfBuffer,
  checksumOfFile,
  createChecksum,
} from '../../electron/core/packages/checksum';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_HEX_LENGTH,
  type ChecksumAlgorithm,
} from '../../shared/protocol/checksum-algorithms';
import { Murmur3x64_128, Murmur3x86_32 } from '../../shared/protocol/murmur3';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * Seeded PRNG (mulberry32) so a failing random case can be replayed from the seed in its name.
 */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** Hashes `data` fed in pieces of the given sizes (the last piece takes whatever is left). */
function checksumInPieces(algorithm: ChecksumAlgorithm, data: Uint8Array, sizes: number[]) {
  const hasher = createChecksum(algorithm);
  let offset = 0;
  for (const size of sizes) {
    if (offset >= data.length) break;
    hasher.update(data.subarray(offset, offset + size));
    offset += size;
  }
  hasher.update(data.subarray(offset));
  return hasher.digestHex();
}

describe('docs/device-protocol.md#checksums test vectors', () => {
  const sixteenZeroBytes = new Uint8Array(16);
  const table: {
    name: string;
    data: Uint8Array;
    expected: Partial<Record<ChecksumAlgorithm, string>>;
  }[] = [
    {
      name: '123456789',
      data: ascii('123456789'),
      expected: {
        CRC32: '2639f4cb',
        MURMUR3_32: '82f3feb4',
        MURMUR3_128: 'a4cc66db5e64843c05a11e3ac7faf899',
        MD5: '25f9e794323b453885f5181f1b624d0b',
        SHA256: '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225',
      },
    },
    {
      name: 'hello',
      data: ascii('hello'),
      expected: {
        CRC32: '86a61036',
        MURMUR3_32: '47fa8b24',
        MURMUR3_128: '029bbd41b3a7d8cb191dae486a901e5b',
        MD5: '5d41402abc4b2a76b9719d911017c592',
      },
    },
    {
      name: '16 zero bytes',
      data: sixteenZeroBytes,
      expected: {
        CRC32: '554bbbec',
        MURMUR3_32: 'f8cd3481',
        MURMUR3_128: 'd618a97df21bbd4bb61c79cdeca965b4',
        MD5: '4ae71336e44bf9bf79d2752e234818a5',
      },
    },
    // The CRC has a leading zero byte in big-endian form: checks the 8-digit padding.
    { name: 'fw-299', data: ascii('fw-299'), expected: { CRC32: '9432ab00' } },
    // SHA384/SHA512 have no row in docs/device-protocol.md#checksums: the FIPS 180-2 "abc" examples cover them.
    {
      name: 'abc (FIPS 180-2)',
      data: ascii('abc'),
      expected: {
        SHA384:
          'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed' +
          '8086072ba1e7cc2358baeca134c825a7',
        SHA512:
          'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a' +
          '2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      },
    },
  ];
  const cases = table.flatMap(({ name, data, expected }) =>
    Object.entries(expected).map(([algorithm, hex]) => ({
      name,
      data,
      algorithm: algorithm as ChecksumAlgorithm,
      hex,
    })),
  );

  it('covers all seven algorithms', () => {
    expect(new Set(cases.map((c) => c.algorithm))).toEqual(new Set(CHECKSUM_ALGORITHMS));
  });

  it.each(cases)('$algorithm($name) = $hex', ({ algorithm, data, hex }) => {
    expect(checksumOfBuffer(algorithm, data)).toBe(hex);
    // Byte by byte must agree too: the murmur tail handling is the delicate part.
    expect(checksumInPieces(algorithm, data, new Array<number>(data.length).fill(1))).toBe(hex);
  });

  it('murmur classes return the digest bytes in the order docs/device-protocol.md#checksums gives', () => {
    const data = ascii('123456789');
    expect(hexOf(new Murmur3x86_32().update(data).digest())).toBe('82f3feb4');
    expect(hexOf(new Murmur3x64_128().update(data).digest())).toBe(
      'a4cc66db5e64843c05a11e3ac7faf899',
    );
  });
});

describe('empty input', () => {
  // Published empty-input digests; murmur with seed 0 and CRC32 of nothing are all zero bits.
  const emptyDigests: Record<ChecksumAlgorithm, string> = {
    MD5: 'd41d8cd98f00b204e9800998ecf8427e',
    SHA256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    SHA384:
      '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da' +
      '274edebfe76f65fbd51ad2f14898b95b',
    SHA512:
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce' +
      '47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    CRC32: '00000000',
    MURMUR3_32: '00000000',
    MURMUR3_128: '00000000000000000000000000000000',
  };

  it.each(CHECKSUM_ALGORITHMS)('%s of nothing is well-formed', (algorithm) => {
    const fromBuffer = checksumOfBuffer(algorithm, new Uint8Array(0));
    expect(fromBuffer).toMatch(/^[0-9a-f]+$/);
    expect(fromBuffer).toHaveLength(CHECKSUM_HEX_LENGTH[algorithm]);
    expect(fromBuffer).toBe(emptyDigests[algorithm]);
    // A hasher that never saw update() gives the same answer.
    expect(createChecksum(algorithm).digestHex()).toBe(fromBuffer);
  });
});

describe('incremental hashing equals one-shot hashing', () => {
  const SEED = 20_260_701;
  const random = seededRandom(SEED);
  // Around the murmur block sizes, an odd size, and ~1 MiB with an odd tail.
  const lengths = [0, 1, 15, 16, 17, 4099, 1024 * 1024 + 13];
  const buffers = lengths.map((length) => randomBytes(random, length));

  describe.each(CHECKSUM_ALGORITHMS)('%s', (algorithm) => {
    it.each(buffers.map((data, index) => ({ data, index, length: data.length })))(
      'buffer #$index ($length bytes)',
      ({ data, index }) => {
        const whole = checksumOfBuffer(algorithm, data);
        expect(whole).toHaveLength(CHECKSUM_HEX_LENGTH[algorithm]);
        const splitRandom = seededRandom(SEED + index);

        // Random split points, several times.
        for (let round = 0; round < 5; round += 1) {
          const sizes: number[] = [];
          for (let total = 0; total < data.length;) {
            const size = Math.floor(splitRandom() * Math.min(data.length, 200_000)) + 1;
            sizes.push(size);
            total += size;
          }
          expect(checksumInPieces(algorithm, data, sizes), `seed ${SEED}, round ${round}`).toBe(
            whole,
          );
        }

        // Fixed sizes that never line up with a 4- or 16-byte block, so every murmur block
        // after the first is assembled from two updates.
        for (const size of [3, 7, 13, 17, 4093]) {
          const sizes = new Array<number>(Math.ceil(data.length / size)).fill(size);
          expect(checksumInPieces(algorithm, data, sizes), `pieces of ${size}`).toBe(whole);
        }

        // One byte at a time (bounded: node:crypto pays a fixed cost per update).
        const head = data.subarray(0, 5000);
        expect(checksumInPieces(algorithm, head, new Array<number>(head.length).fill(1))).toBe(
          checksumOfBuffer(algorithm, head),
        );

        // Empty updates in between change nothing.
        const middle = data.length >> 1;
        const withEmpties = createChecksum(algorithm);
        withEmpties.update(new Uint8Array(0));
        withEmpties.update(data.subarray(0, middle));
        withEmpties.update(new Uint8Array(0));
        withEmpties.update(data.subarray(middle));
        expect(withEmpties.digestHex()).toBe(whole);
      },
    );
  });

  it.each(CHECKSUM_ALGORITHMS)(
    '%s reads views at an odd byte offset correctly (pooled Buffers)',
    (algorithm) => {
      const backing = randomBytes(seededRandom(SEED + 99), 4096 + 3);
      const view = backing.subarray(3, 3 + 4096);
      expect(view.byteOffset).toBe(3);
      expect(checksumOfBuffer(algorithm, view)).toBe(checksumOfBuffer(algorithm, view.slice()));
    },
  );

  it('murmur digest() does not end the hash: updates may follow', () => {
    const data = randomBytes(seededRandom(SEED + 7), 1000);
    for (const Hasher of [Murmur3x86_32, Murmur3x64_128]) {
      const hasher = new Hasher().update(data.subarray(0, 333));
      const early = hexOf(hasher.digest());
      expect(hexOf(hasher.digest())).toBe(early);
      hasher.update(data.subarray(333));
      expect(hexOf(hasher.digest())).toBe(hexOf(new Hasher().update(data).digest()));
      expect(hexOf(hasher.digest())).not.toBe(early);
    }
  });
});

describe('murmur against the murmurhash3js-revisited reference', () => {
  /*
   * Byte order conversion. The reference returns:
   * - x86.hash32: the 32-bit value as a number. Ours is that value's little-endian bytes, so
   *   write it little-endian and hex it.
   * - x64.hash128: a 32-digit string of h1 then h2, each 64-bit word printed big-endian
   *   (most significant digit first). Ours is h1 little-endian then h2 little-endian, so
   *   reverse the 8 bytes of each half.
   */
  function expected32(data: Uint8Array): string {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(referenceX86.hash32(data, 0));
    return bytes.toString('hex');
  }
  function expected128(data: Uint8Array): string {
    const bigEndianHalves = Buffer.from(referenceX64.hash128(data, 0), 'hex');
    expect(bigEndianHalves).toHaveLength(16);
    return Buffer.concat([
      bigEndianHalves.subarray(0, 8).reverse(),
      bigEndianHalves.subarray(8, 16).reverse(),
    ]).toString('hex');
  }

  it('agrees on the vectors of docs/device-protocol.md#checksums, so the conversion above is right', () => {
    expect(expected32(ascii('123456789'))).toBe('82f3feb4');
    expect(expected128(ascii('123456789'))).toBe('a4cc66db5e64843c05a11e3ac7faf899');
  });

  const random = seededRandom(424_242);
  const inputs: Uint8Array[] = [];
  // Every length from 0 to 100 (all tail lengths, several times) in three random fillings...
  for (let round = 0; round < 3; round += 1) {
    for (let length = 0; length <= 100; length += 1) inputs.push(randomBytes(random, length));
  }
  // ...all-0xff bytes (sign bits everywhere), and some larger random lengths.
  for (const length of [7, 16, 31, 64]) inputs.push(new Uint8Array(length).fill(0xff));
  for (let i = 0; i < 12; i += 1) {
    inputs.push(randomBytes(random, 101 + Math.floor(random() * 70_000)));
  }

  it(`MURMUR3_32 matches on ${inputs.length} inputs`, () => {
    for (const data of inputs) {
      expect(checksumOfBuffer('MURMUR3_32', data), `${data.length} bytes`).toBe(expected32(data));
    }
  });

  it(`MURMUR3_128 matches on ${inputs.length} inputs`, () => {
    for (const data of inputs) {
      expect(checksumOfBuffer('MURMUR3_128', data), `${data.length} bytes`).toBe(expected128(data));
    }
  });
});

describe('checksumOfFile', () => {
  let directory = '';
  let filePath = '';
  // Larger than the 1 MiB read size, with an odd tail, so the stream delivers several chunks.
  const contents = randomBytes(seededRandom(77), 3 * 1024 * 1024 + 5);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'checksum-test-'));
    filePath = join(directory, 'firmware.bin');
    await writeFile(filePath, contents);
  });

  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it.each(CHECKSUM_ALGORITHMS)('%s of a file equals %s of its bytes', async (algorithm) => {
    expect(await checksumOfFile(algorithm, filePath)).toBe(checksumOfBuffer(algorithm, contents));
  });

  it('hashes an empty file', async () => {
    const emptyPath = join(directory, 'empty.bin');
    await writeFile(emptyPath, new Uint8Array(0));
    expect(await checksumOfFile('MD5', emptyPath)).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('rejects with the fs error for a missing file', async () => {
    await expect(checksumOfFile('SHA256', join(directory, 'missing.bin'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('checksumMatches', () => {
  const actual = checksumOfBuffer('SHA256', ascii('123456789'));

  it('accepts the checksum as users paste it: any case, 0x, spaces', () => {
    expect(checksumMatches('SHA256', actual, actual)).toBe(true);
    expect(checksumMatches('SHA256', ` 0x${actual.toUpperCase()}\n`, actual)).toBe(true);
    expect(checksumMatches('CRC32', '0X9432AB00', checksumOfBuffer('CRC32', ascii('fw-299')))).toBe(
      true,
    );
  });

  it('rejects a different digest', () => {
    const other = checksumOfBuffer('SHA256', ascii('12345678'));
    expect(checksumMatches('SHA256', other, actual)).toBe(false);
  });

  it('rejects malformed expected values even when equal to actual', () => {
    expect(checksumMatches('SHA256', actual.slice(1), actual)).toBe(false);
    expect(checksumMatches('SHA256', '', '')).toBe(false);
    expect(checksumMatches('CRC32', 'zzzzzzzz', 'zzzzzzzz')).toBe(false);
    // Right algorithm matters: an MD5 digest is not a well-formed SHA256 one.
    const md5 = checksumOfBuffer('MD5', ascii('hello'));
    expect(checksumMatches('SHA256', md5, md5)).toBe(false);
    expect(checksumMatches('MD5', md5, md5)).toBe(true);
  });
});

describe('bad input', () => {
  it('refuses an unknown algorithm with a clear message', () => {
    expect(() => createChecksum('SHA1' as ChecksumAlgorithm)).toThrow(
      /Unknown checksum algorithm "SHA1"/,
    );
    expect(() => checksumMatches('sha256' as ChecksumAlgorithm, 'a', 'a')).toThrow(
      /Unknown checksum algorithm/,
    );
  });

  it.each(CHECKSUM_ALGORITHMS)('%s refuses use after digestHex()', (algorithm) => {
    const hasher = createChecksum(algorithm);
    hasher.update(ascii('hello'));
    hasher.digestHex();
    expect(() => hasher.update(ascii('more'))).toThrow(/already digested/);
    expect(() => hasher.digestHex()).toThrow(/already digested/);
  });

  it('refuses a non-byte chunk', () => {
    const hasher = createChecksum('MURMUR3_128');
    expect(() => hasher.update('hello' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
