import type { ChecksumAlgorithm } from '../../shared/protocol/checksum-algorithms';
import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import { createChecksum } from '../core/packages/checksum';

export type DownloadOutcome =
  { ok: true; bytes: number; digest: string } | { ok: false; error: string };

export interface ChunkDownloadSettings {
  type: OtaPackageType;
  requestId: string;
  chunkSize: number;
  /** fw_size; undefined when the server did not send a usable one. */
  expectedSize: number | undefined;
  algorithm: ChecksumAlgorithm;
  timeoutMs: number;
  retries: number;
}

export interface ChunkDownloadHooks {
  /** Asks for chunk `index` of `size` bytes on the device's current link. */
  request(index: number, size: number): void;
  /** Asked before a chunk is requested; false holds the request until `requestNext()`. */
  mayRequest(index: number): boolean;
  /** Progress accounting: a chunk of `bytes` bytes was accepted. */
  accepted(bytes: number): void;
  finish(outcome: DownloadOutcome): void;
}

/**
 * One package download as the seed describes it: one chunk request at a time, index from 0,
 * until a chunk comes back empty, or short once fw_size bytes are in.
 * The image is hashed as it arrives instead of being kept: verification needs only the
 * digest and the byte count, and a thousand devices holding a few MB each would cost GBs.
 */
export class ChunkDownloader {
  private nextIndex = 0;
  private received = 0;
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  private readonly checksum;

  constructor(
    private readonly settings: ChunkDownloadSettings,
    private readonly hooks: ChunkDownloadHooks,
  ) {
    this.checksum = createChecksum(settings.algorithm);
  }

  get bytes(): number {
    return this.received;
  }

  get chunkIndex(): number {
    return this.nextIndex;
  }

  /** Starts, resumes after a reconnect, or repeats the request for the chunk not yet received. */
  requestNext(): void {
    if (this.done) return;
    this.stopTimer();
    if (!this.hooks.mayRequest(this.nextIndex)) return;
    const { chunkSize, timeoutMs } = this.settings;
    this.hooks.request(this.nextIndex, chunkSize);
    this.timer = setTimeout(() => this.onTimeout(), timeoutMs);
  }

  /** The connection is gone: stop the clock until `requestNext()` on the new one. */
  pause(): void {
    this.stopTimer();
  }

  /** A chunk response; stale ones (old request id, repeated index) are ignored. */
  accept(requestId: string, index: number, payload: Buffer): void {
    if (this.done || requestId !== this.settings.requestId || index !== this.nextIndex) return;
    this.stopTimer();
    this.attempts = 0;
    const { chunkSize, expectedSize } = this.settings;
    if (payload.length === 0) {
      this.hooks.accepted(0);
      this.complete();
      return;
    }
    if (expectedSize !== undefined && this.received + payload.length > expectedSize) {
      this.fail(`Received more than the announced size of ${expectedSize} bytes`);
      return;
    }
    this.checksum.update(payload);
    this.received += payload.length;
    this.nextIndex++;
    this.hooks.accepted(payload.length);
    // A short chunk that completes fw_size is the end: no need to ask for the empty one.
    if (
      expectedSize !== undefined &&
      this.received === expectedSize &&
      payload.length < chunkSize
    ) {
      this.complete();
      return;
    }
    this.requestNext();
  }

  fail(error: string): void {
    if (this.done) return;
    this.done = true;
    this.stopTimer();
    this.hooks.finish({ ok: false, error });
  }

  /** Abandoned (new assignment, device stopped): no outcome is reported. */
  cancel(): void {
    this.done = true;
    this.stopTimer();
  }

  private complete(): void {
    this.done = true;
    this.hooks.finish({ ok: true, bytes: this.received, digest: this.checksum.digestHex() });
  }

  private onTimeout(): void {
    this.timer = undefined;
    this.attempts++;
    if (this.attempts > this.settings.retries) {
      this.fail(
        `No answer to chunk ${this.nextIndex} after ${this.attempts} requests of ${this.settings.timeoutMs} ms`,
      );
      return;
    }
    this.requestNext();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
