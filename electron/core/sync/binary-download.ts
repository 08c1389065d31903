import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';

import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';
import type { BlobFolder } from '../packages/blob-folder';
import { checksumMatches } from '../packages/checksum';
import type { StreamedFile } from '../packages/import-stream';
import { DEFAULT_MAX_PACKAGE_BYTES } from '../packages/package-store';
import type { PartialPaths } from '../packages/partial-downloads';
import type { CloudClient } from './cloud-client';
import { CloudHttpError, isTransient } from './cloud-errors';
import type { CloudPackageInfo } from './cloud-types';
import { parseContentRange } from './content-range';
import { eagerBody } from './eager-body';
import { partialKey } from './partial-key';
import { PartialWriter, TooManyBytesError } from './partial-writer';

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
  constructor(
    message: string,
    /** The bytes were partly kept from an earlier attempt (those are the suspects). */
    readonly resumed = false,
  ) {
    super(message);
  }
}

export interface DownloadReporting {
  /** Bytes of the binary on disk so far (a kept part included) and its size when known. */
  onProgress?(bytes: number, total: number | null): void;
  /** A line for the sync log: a resume, or a start from zero where a resume was hoped for. */
  log?(message: string): void;
}

/** Where binaries go: a partial download, renamed to its SHA-256 once verified. */
export type BinaryBlobs = Pick<BlobFolder, 'partials' | 'commit'>;

/** Attempts in a row that bring no new byte (or a fresh mismatch) before giving up, as before. */
const STALLS_ALLOWED = 3;
/** Attempts at most in one call even while each brings bytes, so a flapping link still ends. */
const MAX_ATTEMPTS = 64;

interface Fetched {
  file: StreamedFile;
  /** Where this attempt's bytes started: 0 for a fresh download, else the kept part's size. */
  from: number;
}

/**
 * Fetches the package's binary into the blob folder, resuming what an earlier attempt left: the
 * bytes arrive in `tmp/resume/<key>.partial` (the key names the cloud package and the checksum
 * and size it must have), are verified against the cloud's checksum and size over the whole
 * file, then renamed to their SHA-256.
 *
 * A cut connection keeps the partial: the next attempt (in this call, the next pull, or after
 * a restart) asks `Range: bytes=<have>-`. A 206 starting at <have> is appended; a 200 (the
 * range was ignored) starts over; a 416 or a 206 starting elsewhere drops the partial and
 * starts over. A fresh download that does not match is fetched again (up to three times), then
 * refused; a resumed one that does not match is refused at once with its partial deleted, so
 * the next pull starts from zero.
 */
export async function downloadBinary(
  client: CloudClient,
  info: CloudPackageInfo,
  blobs: BinaryBlobs,
  reporting: DownloadReporting = {},
): Promise<DownloadedBinary> {
  const algorithm = info.checksumAlgorithm;
  const expected = info.checksum;
  const name = `${info.title} ${info.version}`;
  if (!algorithm || !expected)
    throw new BinaryMismatchError(`${name} has no checksum in the cloud: it cannot be verified`);
  if (info.dataSize != null && info.dataSize > DEFAULT_MAX_PACKAGE_BYTES)
    throw new Error(
      `${name} is ${info.dataSize} bytes, more than the station's limit of ${DEFAULT_MAX_PACKAGE_BYTES}`,
    );
  const paths = blobs.partials.paths(partialKey(info));
  let stalls = 0;
  for (let attempt = 1; ; attempt += 1) {
    const moved = { bytes: 0 };
    try {
      const { file, from } = await fetchOnce(client, info, paths, algorithm, reporting, moved);
      const resumed = from > 0;
      if (!checksumMatches(algorithm, expected, file.checksum))
        throw new BinaryMismatchError(
          `${name}: the downloaded binary does not match the cloud's ${algorithm} checksum${resumed ? DISCARDED : ''}`,
          resumed,
        );
      if (info.dataSize != null && info.dataSize !== file.size)
        throw new BinaryMismatchError(
          `${name}: downloaded ${file.size} bytes, the cloud says ${info.dataSize}${resumed ? DISCARDED : ''}`,
          resumed,
        );
      await blobs.commit(paths.data, file.sha256);
      await fs.promises.rm(paths.validator, { force: true });
      return {
        sha256: file.sha256,
        size: file.size,
        checksumAlgorithm: algorithm,
        checksum: file.checksum,
        fileName: info.fileName || `${info.title}-${info.version}.bin`,
        contentType: info.contentType || 'application/octet-stream',
      };
    } catch (error) {
      const mismatch = error instanceof BinaryMismatchError;
      // Bytes that failed the check are no base for a resume; a cut leaves them for the next try.
      if (mismatch) await removePartial(paths);
      if (mismatch && error.resumed) throw error;
      if (!mismatch && !isTransient(error)) throw error;
      if (mismatch || moved.bytes === 0) stalls += 1;
      if (stalls >= STALLS_ALLOWED || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

const DISCARDED =
  '; the part kept from an earlier attempt was deleted, so the next pull downloads it from the start';

/** One request (two when a resume is refused): what is on disk afterwards, with its digests. */
async function fetchOnce(
  client: CloudClient,
  info: CloudPackageInfo,
  paths: PartialPaths,
  algorithm: ChecksumAlgorithm,
  reporting: DownloadReporting,
  moved: { bytes: number },
): Promise<Fetched> {
  const name = `${info.title} ${info.version}`;
  const size = info.dataSize ?? null;
  const limit = Math.min(size ?? Infinity, DEFAULT_MAX_PACKAGE_BYTES);
  let have = await sizeOf(paths.data);
  if (size !== null && have > size) {
    await removePartial(paths);
    have = 0;
  }
  const writer = await PartialWriter.open(paths.data, have, algorithm);
  const append = async (body: AsyncIterable<Buffer>): Promise<Fetched> => {
    const from = writer.offset;
    try {
      const file = await writer.append(body, limit, (bytes) => {
        moved.bytes = bytes - from;
        reporting.onProgress?.(bytes, size);
      });
      return { file, from };
    } catch (error) {
      if (!(error instanceof TooManyBytesError)) throw error;
      throw new BinaryMismatchError(
        `${name}: the cloud sent more than ${limit} bytes${from > 0 ? DISCARDED : ''}`,
        from > 0,
      );
    }
  };
  try {
    // Every byte arrived last time but was never checked (cut before the end, or a restart).
    if (size !== null && have === size && have > 0) {
      reporting.log?.(
        `${name}: download resumed at ${describeBytes(have, size)}: all there already`,
      );
      return await append(NO_BYTES);
    }
    for (;;) {
      const validator = have > 0 ? await readValidator(paths.validator) : undefined;
      const res = await client.download(
        info.id.id,
        have > 0 ? { from: have, ...(validator ? { validator } : {}) } : undefined,
      );
      // At once, before any other await: a cut must not take bytes that already arrived.
      const body = eagerBody(res);
      try {
        const from = startOf(res, have, size);
        if (from === 'start over') {
          body.discard();
          reporting.log?.(
            `${name}: the cloud could not continue the download at ${describeBytes(have, size)} (HTTP ${res.statusCode ?? 0}${res.headers['content-range'] ? `, Content-Range ${res.headers['content-range']}` : ''}): downloading it from the start`,
          );
          await writer.restart();
          await fs.promises.rm(paths.validator, { force: true });
          have = 0;
          continue;
        }
        if (from === 0 && have > 0) {
          reporting.log?.(
            `${name}: the cloud sent the whole binary again (it ignored the range): downloading it from the start`,
          );
          await writer.restart();
        } else if (from > 0)
          reporting.log?.(`${name}: download resumed at ${describeBytes(from, size)}`);
        await keepValidator(paths.validator, res);
        return await append(body);
      } finally {
        if (!res.complete) body.discard();
      }
    }
  } finally {
    await writer.close();
  }
}

/** Where the answer's bytes go in the file, or 'start over' when they can't be placed. */
function startOf(res: IncomingMessage, have: number, size: number | null): number | 'start over' {
  const status = res.statusCode ?? 0;
  if (status === 200) return 0;
  if (status === 416) return 'start over';
  if (status === 206 && have > 0) {
    const range = parseContentRange(res.headers['content-range']);
    const complete = range?.complete ?? size;
    const fits =
      range !== undefined &&
      range.first === have &&
      (size === null || complete === size) &&
      (complete === null || range.last === complete - 1);
    return fits ? have : 'start over';
  }
  throw new CloudHttpError(status, undefined, `Unexpected answer to a download: HTTP ${status}`);
}

const NO_BYTES: AsyncIterable<Buffer> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};

/**
 * TB gives no validator, so the key (the checksum and size) is what guards a resume. A strong
 * ETag, if a cloud or a proxy in front of it sends one, is kept for If-Range: then a changed
 * binary comes back whole (200) instead of as a tail of other bytes. Weak ones can't be used.
 */
async function keepValidator(file: string, res: IncomingMessage): Promise<void> {
  const etag = res.headers.etag;
  if (etag && !etag.startsWith('W/')) await fs.promises.writeFile(file, etag);
  else await fs.promises.rm(file, { force: true });
}

async function readValidator(file: string): Promise<string | undefined> {
  try {
    const etag = (await fs.promises.readFile(file, 'utf8')).trim();
    return /^"[^"\r\n]*"$/.test(etag) ? etag : undefined;
  } catch {
    return undefined;
  }
}

async function removePartial(paths: PartialPaths): Promise<void> {
  await fs.promises.rm(paths.data, { force: true });
  await fs.promises.rm(paths.validator, { force: true });
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch {
    return 0;
  }
}

/** "180.0 MB (180,000,000 of 200,000,000 bytes)" for the sync log. */
function describeBytes(bytes: number, size: number | null): string {
  const exact = `${bytes.toLocaleString('en-US')} of ${size === null ? '?' : size.toLocaleString('en-US')} bytes`;
  return `${(bytes / 1e6).toFixed(1)} MB (${exact})`;
}
