import fs from 'node:fs';
import path from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';

import type { Package } from '../../shared/api/entities';
import { ApiError, UPLOAD_CANCELLED_MESSAGE } from '../../shared/api/errors';
import { PackageMeta } from '../../shared/api/operations';
import { validationError } from '../../shared/api/validate';

/** How often progress is reported at most: plenty for a progress bar, cheap over IPC. */
export const PROGRESS_INTERVAL_MS = 100;
const READ_CHUNK_BYTES = 1024 * 1024;
const MAX_PATH_LENGTH = 4096;

export type ImportPackage = (meta: PackageMeta, source: Readable) => Promise<Package>;

export interface DiskUpload {
  /** Unchecked: validated here against the shared PackageMeta schema. */
  meta: unknown;
  /** Unchecked: the path the preload got from the file the user chose. */
  filePath: unknown;
  signal: AbortSignal;
  /** Bytes read from disk so far; throttled, and once more with the total at the end. */
  onProgress(sentBytes: number): void;
}

/**
 * Streams a package binary from disk into the station's import (which hashes and writes it
 * atomically): memory stays at a few buffers whatever the size, and the renderer never holds
 * the file. Aborting the signal stops reading, and the import then keeps nothing.
 */
export async function importPackageFromDisk(
  importPackage: ImportPackage,
  upload: DiskUpload,
): Promise<Package> {
  const parsed = PackageMeta.safeParse(upload.meta);
  if (!parsed.success) throw validationError('package upload', parsed.error);
  const filePath = checkedPath(upload.filePath);
  await assertRegularFile(filePath);
  if (upload.signal.aborted) throw new ApiError('BAD_REQUEST', UPLOAD_CANCELLED_MESSAGE);

  let sent = 0;
  let reportedAt = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      const now = Date.now();
      if (now - reportedAt >= PROGRESS_INTERVAL_MS) {
        reportedAt = now;
        upload.onProgress(sent);
      }
      callback(null, chunk);
    },
  });
  const file = fs.createReadStream(filePath, { highWaterMark: READ_CHUNK_BYTES });
  const cancel = () => file.destroy(new Error(UPLOAD_CANCELLED_MESSAGE));
  upload.signal.addEventListener('abort', cancel, { once: true });
  // Errors of either stream reach the import through `counter`, which it consumes.
  pipeline(file, counter, () => undefined);
  try {
    const pkg = await importPackage(parsed.data, counter);
    upload.onProgress(sent);
    return pkg;
  } catch (error) {
    if (upload.signal.aborted) throw new ApiError('BAD_REQUEST', UPLOAD_CANCELLED_MESSAGE);
    if (error instanceof ApiError) throw error;
    throw readError(filePath, error);
  } finally {
    upload.signal.removeEventListener('abort', cancel);
    file.destroy();
  }
}

function checkedPath(value: unknown): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_PATH_LENGTH ||
    value.includes('\0') ||
    !path.isAbsolute(value)
  ) {
    throw new ApiError('BAD_REQUEST', 'Choose the package file with the file dialog.', {
      file: 'is not a file on disk',
    });
  }
  return value;
}

async function assertRegularFile(filePath: string): Promise<void> {
  let info: fs.Stats;
  try {
    info = await fs.promises.stat(filePath);
  } catch (error) {
    throw readError(filePath, error);
  }
  // A folder, a pipe or a device would never end or make no sense as firmware.
  if (!info.isFile()) {
    throw new ApiError('BAD_REQUEST', `${path.basename(filePath)} is not a regular file.`, {
      file: 'is not a regular file',
    });
  }
}

function readError(filePath: string, error: unknown): ApiError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const why =
    code === 'ENOENT'
      ? 'it no longer exists'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : (code ?? (error instanceof Error ? error.message : 'unknown error'));
  return new ApiError('BAD_REQUEST', `The file ${path.basename(filePath)} can't be read: ${why}.`, {
    file: `can't be read (${why})`,
  });
}
