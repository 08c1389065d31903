import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { ApiError } from '../../../shared/api/errors';
import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';
import { OWNER_ONLY_FILE } from '../storage/owner-only';
import { createChecksum } from './checksum';

export interface StreamedFile {
  size: number;
  sha256: string;
  checksum: string;
}

/**
 * Copies a stream to a file while hashing it (SHA-256 for the blob name, plus the package's own
 * algorithm) in one pass, never holding the whole binary in memory.
 *
 * The file is not fsynced: that doubled the import time on the laptops' disks, and it buys
 * nothing here because every binary is re-hashed before its first chunk is served, so bytes a
 * power cut took are caught (the package turns CORRUPT) rather than sent to a device.
 */
export async function streamToFile(
  source: Readable | NodeJS.ReadableStream,
  target: string,
  algorithm: ChecksumAlgorithm,
  maxBytes: number,
): Promise<StreamedFile> {
  const sha256 = createHash('sha256');
  const checksum = algorithm === 'SHA256' ? undefined : createChecksum(algorithm);
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > maxBytes) {
        callback(
          new ApiError(
            'PAYLOAD_TOO_LARGE',
            `The file is larger than the station's limit of ${maxBytes} bytes`,
          ),
        );
        return;
      }
      sha256.update(chunk);
      checksum?.update(chunk);
      callback(null, chunk);
    },
  });
  const out = fs.createWriteStream(target, { flags: 'wx', mode: OWNER_ONLY_FILE });
  await pipeline(source, hasher, out);
  const sha = sha256.digest('hex');
  return { size, sha256: sha, checksum: checksum ? checksum.digestHex() : sha };
}
