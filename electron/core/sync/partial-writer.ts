import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';

import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';
import { type ChecksumHasher, createChecksum } from '../packages/checksum';
import type { StreamedFile } from '../packages/import-stream';
import { OWNER_ONLY_FILE } from '../storage/owner-only';
import { CloudNetworkError } from './cloud-errors';

const PREFIX_READ_BYTES = 1024 * 1024;

/** The body brought more bytes than the package can have. */
export class TooManyBytesError extends Error {
  override name = 'TooManyBytesError';
}

/**
 * A partial download being continued: the file keeps its first `offset` bytes, which are hashed
 * (read back in 1 MiB pieces, never whole in memory) when it is opened, so the digests always
 * cover the whole file. That is done before the request goes out: the answer then never waits
 * on the disk, and its connection is not left idle long enough to time out.
 *
 * Each piece of the body is on disk before the next is taken, so when the connection is cut
 * what arrived is kept for the next attempt; the cut is thrown as a CloudNetworkError.
 */
export class PartialWriter {
  private sha256: Hash;
  private checksum: ChecksumHasher | undefined;
  private size: number;

  private constructor(
    private readonly handle: fs.promises.FileHandle,
    private readonly algorithm: ChecksumAlgorithm,
  ) {
    this.sha256 = createHash('sha256');
    this.checksum = algorithm === 'SHA256' ? undefined : createChecksum(algorithm);
    this.size = 0;
  }

  /** Opens `file` keeping its first `offset` bytes (0: a fresh file), with those bytes hashed. */
  static async open(
    file: string,
    offset: number,
    algorithm: ChecksumAlgorithm,
  ): Promise<PartialWriter> {
    const handle = await fs.promises.open(file, offset > 0 ? 'r+' : 'w', OWNER_ONLY_FILE);
    const writer = new PartialWriter(handle, algorithm);
    try {
      await writer.keep(file, offset);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return writer;
  }

  /** Bytes in the file so far. */
  get offset(): number {
    return this.size;
  }

  /** Drops the kept bytes: the answer brings the whole file after all. */
  async restart(): Promise<void> {
    await this.handle.truncate(0);
    this.sha256 = createHash('sha256');
    this.checksum = this.algorithm === 'SHA256' ? undefined : createChecksum(this.algorithm);
    this.size = 0;
  }

  /**
   * Appends the body; `onBytes` hears the file's size first (the kept part: a progress bar
   * starts there) and after each piece. Stops at `maxBytes` with TooManyBytesError.
   */
  async append(
    body: AsyncIterable<Buffer>,
    maxBytes: number,
    onBytes?: (size: number) => void,
  ): Promise<StreamedFile> {
    onBytes?.(this.size);
    const pieces = body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await pieces.next();
      } catch (error) {
        throw new CloudNetworkError(
          `The download was cut off after ${this.size} bytes: ${(error as Error).message}`,
          (error as NodeJS.ErrnoException).code ?? 'ECONNRESET',
          { cause: error },
        );
      }
      if (next.done) break;
      const chunk = next.value;
      if (this.size + chunk.length > maxBytes)
        throw new TooManyBytesError(`The download brings more than ${maxBytes} bytes`);
      this.update(chunk);
      await this.handle.write(chunk, 0, chunk.length, this.size);
      this.size += chunk.length;
      onBytes?.(this.size);
    }
    const sha = this.sha256.digest('hex');
    return {
      size: this.size,
      sha256: sha,
      checksum: this.checksum ? this.checksum.digestHex() : sha,
    };
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private async keep(file: string, offset: number): Promise<void> {
    if (offset === 0) return;
    const onDisk = (await this.handle.stat()).size;
    if (onDisk < offset)
      throw new Error(`The kept part of ${file} has ${onDisk} bytes, not ${offset}`);
    if (onDisk > offset) await this.handle.truncate(offset);
    const buffer = Buffer.allocUnsafe(PREFIX_READ_BYTES);
    while (this.size < offset) {
      const { bytesRead } = await this.handle.read(
        buffer,
        0,
        Math.min(buffer.length, offset - this.size),
        this.size,
      );
      if (bytesRead === 0) throw new Error(`The kept part of ${file} ended early`);
      this.update(buffer.subarray(0, bytesRead));
      this.size += bytesRead;
    }
  }

  private update(chunk: Buffer): void {
    this.sha256.update(chunk);
    this.checksum?.update(chunk);
  }
}
