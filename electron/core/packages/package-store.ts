import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';

import type { Package } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { PackageMeta } from '../../../shared/api/operations';
import {
  CHECKSUM_HEX_LENGTH,
  normalizeChecksum,
} from '../../../shared/protocol/checksum-algorithms';
import type { PackageRepository } from '../repositories/packages';
import type { ProfileRepository } from '../repositories/profiles';
import { BlobFolder } from './blob-folder';
import { checksumOfFile } from './checksum';
import { streamToFile } from './import-stream';

export interface PackageStoreOptions {
  /** Largest binary accepted; the default leaves room for big Linux gateway images. */
  maxPackageBytes?: number;
}

export const DEFAULT_MAX_PACKAGE_BYTES = 4 * 1024 ** 3;

/** The package cache: imports binaries atomically, verifies them, deletes them. */
export class PackageStore {
  readonly blobs: BlobFolder;
  private readonly maxPackageBytes: number;

  constructor(
    private readonly packages: PackageRepository,
    private readonly profiles: ProfileRepository,
    root: string,
    options: PackageStoreOptions = {},
  ) {
    this.blobs = new BlobFolder(root);
    this.maxPackageBytes = options.maxPackageBytes ?? DEFAULT_MAX_PACKAGE_BYTES;
    this.blobs.sweep(this.packages.allBlobNames());
  }

  async import(meta: PackageMeta, source: Readable | NodeJS.ReadableStream): Promise<Package> {
    const expected = meta.checksum ? normalizeChecksum(meta.checksum) : undefined;
    try {
      this.validateBeforeStreaming(meta, expected);
    } catch (error) {
      // The caller's stream must not stay paused forever (an HTTP upload would hang).
      if ('destroy' in source && typeof source.destroy === 'function') source.destroy();
      throw error;
    }
    const id = randomUUID();
    const tempPath = this.blobs.newTempPath(id);
    try {
      const file = await streamToFile(
        source,
        tempPath,
        meta.checksumAlgorithm,
        this.maxPackageBytes,
      );
      if (file.size === 0) {
        throw new ApiError(
          'BAD_REQUEST',
          `The file ${meta.fileName} is empty: a package needs a binary`,
          { file: 'is empty' },
        );
      }
      if (expected !== undefined && expected !== file.checksum) {
        throw new ApiError(
          'BAD_REQUEST',
          `Checksum does not match the file (expected ${expected}, got ${file.checksum}, ${meta.checksumAlgorithm})`,
          { checksum: 'does not match the file' },
        );
      }
      await this.blobs.commit(tempPath, file.sha256);
      try {
        return this.packages.insert({
          id,
          title: meta.title,
          version: meta.version,
          tag: meta.tag || `${meta.title} ${meta.version}`,
          type: meta.type,
          profileId: meta.profileId,
          fileName: meta.fileName,
          contentType: meta.contentType || 'application/octet-stream',
          size: file.size,
          checksumAlgorithm: meta.checksumAlgorithm,
          checksum: file.checksum,
          sha256: file.sha256,
        });
      } catch (error) {
        if (!this.packages.isBlobReferenced(file.sha256)) await this.blobs.remove(file.sha256);
        throw error;
      }
    } finally {
      await fs.promises.rm(tempPath, { force: true });
    }
  }

  delete(id: string): Package {
    const found = this.packages.get(id);
    this.packages.delete(id);
    if (!this.packages.isBlobReferenced(found.sha256))
      fs.rmSync(this.blobs.pathOf(found.sha256), { force: true });
    return found;
  }

  /** Re-hashes the cached binary; a mismatch (or a missing file) marks the package CORRUPT. */
  async verify(id: string): Promise<Package> {
    const found = this.packages.get(id);
    const problem = await this.findCorruption(found.sha256, found.size);
    this.packages.setStatus(id, problem ? 'CORRUPT' : 'READY', problem);
    return this.packages.get(id);
  }

  markCorrupt(id: string, detail: string): void {
    this.packages.setStatus(id, 'CORRUPT', detail);
  }

  private async findCorruption(sha256: string, size: number): Promise<string | null> {
    const file = this.blobs.pathOf(sha256);
    let actualSize: number;
    try {
      actualSize = (await fs.promises.stat(file)).size;
    } catch {
      return 'The cached binary is missing; add the package again';
    }
    if (actualSize !== size) return `The cached binary has ${actualSize} bytes instead of ${size}`;
    const actual = await checksumOfFile('SHA256', file);
    return actual === sha256
      ? null
      : `The cached binary no longer matches its SHA-256 (expected ${sha256}, got ${actual})`;
  }

  private validateBeforeStreaming(meta: PackageMeta, expected: string | undefined): void {
    this.profiles.get(meta.profileId);
    this.packages.assertTitleVersionFree(meta.title, meta.version);
    if (expected !== undefined) {
      const length = CHECKSUM_HEX_LENGTH[meta.checksumAlgorithm];
      if (!new RegExp(`^[0-9a-f]{${length}}$`).test(expected)) {
        throw new ApiError(
          'BAD_REQUEST',
          `A ${meta.checksumAlgorithm} checksum is ${length} hexadecimal digits`,
          {
            checksum: `must be ${length} hex digits`,
          },
        );
      }
    }
  }
}
