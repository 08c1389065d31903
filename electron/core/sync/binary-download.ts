import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';
import { checksumMatches } from '../packages/checksum';
import { streamToFile } from '../packages/import-stream';
import { DEFAULT_MAX_PACKAGE_BYTES } from '../packages/package-store';
import type { CloudClient } from './cloud-client';
import { isTransient } from './cloud-errors';
import type { CloudPackageInfo } from './cloud-types';

/** A binary fetched from the cloud, verified against the cloud's checksum and size. */
export interface DownloadedBinary {
  sha256: string;
  size: number;
  checksumAlgorithm: ChecksumAlgorithm;
  checksum: string;
  fileName: string;
  contentType: string;
}

export class BinaryMismatchError extends Error {
  override name = 'BinaryMismatchError';
}

const BODY_ATTEMPTS = 3;

/**
 * Streams the package's binary into the blob folder (temporary file, then renamed to its
 * SHA-256). The checksum is computed on the way; a mismatch is re-fetched, then refused.
 */
export async function downloadBinary(
  client: CloudClient,
  info: CloudPackageInfo,
  blobs: { newTempPath(id: string): string; commit(temp: string, sha256: string): Promise<string> },
): Promise<DownloadedBinary> {
  const algorithm = info.checksumAlgorithm;
  const expected = info.checksum;
  if (!algorithm || !expected)
    throw new BinaryMismatchError(
      `${info.title} ${info.version} has no checksum in the cloud: it cannot be verified`,
    );
  let lastError: unknown;
  for (let attempt = 1; attempt <= BODY_ATTEMPTS; attempt += 1) {
    const temp = blobs.newTempPath(randomUUID());
    try {
      const response = await client.download(info.id.id);
      const file = await streamToFile(response, temp, algorithm, DEFAULT_MAX_PACKAGE_BYTES).catch(
        (error: unknown) => {
          // A cut download is a network problem like any other (retried, then the pull stops).
          throw Object.assign(
            new Error(`Download of ${info.title} ${info.version} was cut off: ${String(error)}`),
            {
              transient: true,
            },
          );
        },
      );
      if (!checksumMatches(algorithm, expected, file.checksum))
        throw new BinaryMismatchError(
          `${info.title} ${info.version}: the downloaded binary does not match the cloud's ${algorithm} checksum`,
        );
      if (info.dataSize != null && info.dataSize !== file.size)
        throw new BinaryMismatchError(
          `${info.title} ${info.version}: downloaded ${file.size} bytes, the cloud says ${info.dataSize}`,
        );
      await blobs.commit(temp, file.sha256);
      return {
        sha256: file.sha256,
        size: file.size,
        checksumAlgorithm: algorithm,
        checksum: file.checksum,
        fileName: info.fileName || `${info.title}-${info.version}.bin`,
        contentType: info.contentType || 'application/octet-stream',
      };
    } catch (error) {
      lastError = error;
      const retry =
        error instanceof BinaryMismatchError ||
        isTransient(error) ||
        (error as { transient?: boolean }).transient;
      if (!retry || attempt === BODY_ATTEMPTS) throw error;
    } finally {
      await fs.promises.rm(temp, { force: true });
    }
  }
  throw lastError;
}
