/**
 * PUBLISHes whose payload is read only when it is about to be written: a chunk or a whole
 * firmware file on disk. Nothing is read before the message reaches the head of its session's
 * queue, and a payload bigger than one piece goes out piece by piece as the socket drains, so a
 * session holds at most one piece in memory whatever the file's size, and a device that stops
 * reading stops the reads.
 */
import type { PacketSocket } from './packet-socket';

/** A payload read on demand. */
export interface PayloadSource {
  readonly length: number;
  /** Exactly `length` bytes from `offset` (fewer is a read error). */
  read(offset: number, length: number): Buffer | Promise<Buffer>;
  /** The read failed before the first byte was written: the message is dropped, the session goes on. */
  failed?(error: unknown): void;
  /** After each piece handed to the socket: how many payload bytes have been so far. */
  progress?(written: number): void;
}

/** The most read at once for one message, and what a queued source is charged for. */
export const STREAM_PIECE_BYTES = 512 * 1024;

export function isPayloadSource(payload: Buffer | PayloadSource): payload is PayloadSource {
  return !Buffer.isBuffer(payload);
}

interface Current {
  header: Buffer;
  source: PayloadSource;
  charge: number;
  offset: number;
  started: boolean;
  reading: boolean;
  holding: boolean;
}

export type Progress = 'done' | 'waiting';

export class PayloadStream {
  private current: Current | undefined;

  constructor(
    private readonly io: PacketSocket,
    private readonly events: {
      /** The socket drained, or a read finished and the message is complete (or dropped): go on. */
      proceed(): void;
      /** A message broke off after its first byte: the connection cannot go on. */
      broken(kind: string, message: string): void;
    },
  ) {}

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Charged against the session's queue cap while the message is being written. */
  get chargedBytes(): number {
    return this.current?.charge ?? 0;
  }

  /** Begins a message; 'done' when it was written whole at once. */
  start(header: Buffer, source: PayloadSource, charge: number): Progress {
    const current: Current = {
      header,
      source,
      charge,
      offset: 0,
      started: false,
      reading: false,
      holding: false,
    };
    this.current = current;
    return this.pump(current);
  }

  /** Goes on with the message in progress (after a 'drain'); 'done' when there is none left. */
  resume(): Progress {
    const current = this.current;
    if (!current) return 'done';
    if (current.reading || this.io.backpressured) return 'waiting';
    return this.pump(current);
  }

  /** The connection closed: nothing more is written or read for it. */
  abandon(): void {
    this.current = undefined;
  }

  private pump(current: Current): Progress {
    for (;;) {
      if (this.io.closing) {
        this.current = undefined;
        return 'waiting';
      }
      const wanted = Math.min(STREAM_PIECE_BYTES, current.source.length - current.offset);
      let piece: Buffer | Promise<Buffer>;
      try {
        piece = current.source.read(current.offset, wanted);
      } catch (error) {
        return this.readFailed(current, error);
      }
      if (!Buffer.isBuffer(piece)) {
        current.reading = true;
        piece
          .then(
            (bytes) => this.afterRead(current, bytes, wanted),
            (error: unknown) => {
              current.reading = false;
              if (this.current === current && this.readFailed(current, error) === 'done')
                this.events.proceed();
            },
          )
          // Whatever goes wrong after a read costs this connection, never the process.
          .catch((error: unknown) => {
            this.current = undefined;
            this.events.broken('internal-error', `writing a read payload: ${String(error)}`);
          });
        return 'waiting';
      }
      const progress = this.put(current, piece, wanted);
      if (progress !== 'more') return progress;
    }
  }

  private afterRead(current: Current, bytes: Buffer, wanted: number): void {
    current.reading = false;
    if (this.current !== current) return;
    let progress = this.put(current, bytes, wanted);
    if (progress === 'more') progress = this.pump(current);
    if (progress === 'done') this.events.proceed();
  }

  /** Writes one piece; 'more' when the next one may be read now. */
  private put(current: Current, piece: Buffer, wanted: number): Progress | 'more' {
    if (this.io.closing) {
      this.current = undefined;
      return 'waiting';
    }
    if (piece.length !== wanted) {
      return this.readFailed(
        current,
        new Error(`read ${piece.length} of ${wanted} bytes at offset ${current.offset}`),
      );
    }
    let flowing: boolean;
    if (!current.started) {
      current.started = true;
      this.io.cork(); // the header and the first piece in one write
      flowing = this.io.writePublish(current.header, piece);
      this.io.uncork();
    } else {
      flowing = this.io.writePayloadPiece(piece);
    }
    current.offset += piece.length;
    current.source.progress?.(current.offset);
    if (current.offset >= current.source.length) {
      this.current = undefined;
      if (current.holding) this.io.releaseControlPackets();
      return 'done';
    }
    if (!current.holding) {
      current.holding = true;
      this.io.holdControlPackets();
    }
    if (flowing) return 'more';
    // The session has no standing 'drain' listener (an idle one would cost every connection).
    this.io.onceDrain(() => this.events.proceed());
    return 'waiting';
  }

  private readFailed(current: Current, error: unknown): Progress {
    this.current = undefined;
    current.source.failed?.(error);
    if (!current.started) return 'done';
    // Part of the PUBLISH is on the wire and the rest cannot be read.
    this.events.broken(
      'payload-read-error',
      `a ${current.source.length}-byte message broke off at byte ${current.offset}: ${String(error)}`,
    );
    return 'waiting';
  }
}
