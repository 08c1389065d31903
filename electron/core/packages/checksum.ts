/**
 * Package checksums (docs/device-protocol.md#checksums): one streaming interface over the seven algorithms, so an
 * import computes its checksum while the bytes pass by and never holds a whole image in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { crc32 } from 'node:zlib';

import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_HEX_LENGTH,
  type ChecksumAlgorithm,
  normalizeChecksum,
} from '../../../shared/protocol/checksum-algorithms';
import { Murmur3x64_128, Murmur3x86_32 } from '../../../shared/protocol/murmur3';

export interface ChecksumHasher {
  update(chunk: Uint8Array): void;
  /** Lowercase hex without `0x`. Ends the hasher: any later call throws. */
  digestHex(): string;
}

const NODE_HASH_NAMES = {
  MD5: 'md5',
  SHA256: 'sha256',
  SHA384: 'sha384',
  SHA512: 'sha512',
} as const;

const FILE_READ_CHUNK_BYTES = 1024 * 1024;

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Algorithm names come from users, the database and the cloud: check them at runtime. */
function assertAlgorithm(algorithm: string): asserts algorithm is ChecksumAlgorithm {
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new Error(
      `Unknown checksum algorithm "${algorithm}"; expected one of ${CHECKSUM_ALGORITHMS.join(', ')}`,
    );
  }
}

function createRawHasher(algorithm: ChecksumAlgorithm): ChecksumHasher {
  switch (algorithm) {
    case 'MD5':
    case 'SHA256':
    case 'SHA384':
    case 'SHA512': {
      const hash = createHash(NODE_HASH_NAMES[algorithm]);
      return { update: (chunk) => void hash.update(chunk), digestHex: () => hash.digest('hex') };
    }
    case 'CRC32': {
      let crc = 0;
      return {
        update: (chunk) => {
          crc = crc32(chunk, crc);
        },
        // Guava's (and so ThingsBoard's) CRC32 hex is the value's little-endian bytes.
        digestHex: () => {
          const bytes = Buffer.alloc(4);
          bytes.writeUInt32LE(crc >>> 0);
          return bytes.toString('hex');
        },
      };
    }
    case 'MURMUR3_32':
    case 'MURMUR3_128': {
      const hash = algorithm === 'MURMUR3_32' ? new Murmur3x86_32() : new Murmur3x64_128();
      return { update: (chunk) => void hash.update(chunk), digestHex: () => hexOf(hash.digest()) };
    }
  }
}

/**
 * A streaming hasher for `algorithm`. Every algorithm behaves the same after digestHex():
 * node:crypto refuses reuse, so all of them do, with a clear error instead of a silent
 * wrong digest.
 */
export function createChecksum(algorithm: ChecksumAlgorithm): ChecksumHasher {
  assertAlgorithm(algorithm);
  const raw = createRawHasher(algorithm);
  let finished = false;
  const assertOpen = (): void => {
    if (finished) throw new Error(`${algorithm} checksum already digested; create a new one`);
  };
  return {
    update(chunk) {
      assertOpen();
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`${algorithm} checksum update expects a Uint8Array`);
      }
      raw.update(chunk);
    },
    digestHex() {
      assertOpen();
      finished = true;
      return raw.digestHex();
    },
  };
}

export function checksumOfBuffer(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const hasher = createChecksum(algorithm);
  hasher.update(data);
  return hasher.digestHex();
}

/** Streams the file in 1 MiB reads; rejects with the fs error (it names the path). */
export async function checksumOfFile(algorithm: ChecksumAlgorithm, path: string): Promise<string> {
  const hasher = createChecksum(algorithm);
  const stream = createReadStream(path, { highWaterMark: FILE_READ_CHUNK_BYTES });
  for await (const chunk of stream as AsyncIterable<Buffer>) hasher.update(chunk);
  return hasher.digestHex();
}

/**
 * True when `expected` (as a user or the cloud wrote it: any case, optional `0x`, spaces
 * around) is a well-formed digest for `algorithm` equal to `actual`. A malformed value never
 * matches, even if `actual` happens to be malformed the same way.
 */
export function checksumMatches(
  algorithm: ChecksumAlgorithm,
  expected: string,
  actual: string,
): boolean {
  assertAlgorithm(algorithm);
  const wanted = normalizeChecksum(expected);
  const got = normalizeChecksum(actual);
  const wellFormed = new RegExp(`^[0-9a-f]{${CHECKSUM_HEX_LENGTH[algorithm]}}$`);
  return wellFormed.test(wanted) && wanted === got;
}
