/**
 * Per-session outbound bookkeeping: the FIFO of PUBLISHes not yet handed to the socket and the
 * window of QoS 1 packet ids awaiting PUBACK. Kept apart from the socket so that one slow
 * device only ever fills its own queue.
 */

import type { PayloadSource } from './payload-stream';

export interface OutboundMessage {
  topic: string;
  /** A source is read only when the message is written (see payload-stream). */
  payload: Buffer | PayloadSource;
  qos: 0 | 1;
  /** Bytes charged against the session's queue cap (payload + topic + header). */
  bytes: number;
}

/** FIFO with O(1) shift: an array plus a head index, compacted once half of it is dead. */
export class OutboundQueue {
  private items: (OutboundMessage | undefined)[] = [];
  private head = 0;
  private totalBytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  push(message: OutboundMessage): void {
    this.items.push(message);
    this.totalBytes += message.bytes;
  }

  peek(): OutboundMessage | undefined {
    return this.items[this.head];
  }

  shift(): OutboundMessage | undefined {
    const message = this.items[this.head];
    if (message === undefined) return undefined;
    this.items[this.head] = undefined; // let the payload be collected once written
    this.head++;
    this.totalBytes -= message.bytes;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return message;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.totalBytes = 0;
  }
}

/**
 * Packet ids of outgoing QoS 1 PUBLISHes awaiting PUBACK. The limit is the in-flight window
 * (at most 65535, the size of the id space, so acquire() always finds a free id).
 */
export class InflightWindow {
  /** Created by the first QoS 1 delivery: most sessions never have one. */
  private ids: Set<number> | undefined;
  private nextId = 1;
  readonly limit: number;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`in-flight limit must be a positive integer, got ${limit}`);
    }
    this.limit = Math.min(limit, 0xffff);
  }

  get size(): number {
    return this.ids?.size ?? 0;
  }

  hasRoom(): boolean {
    return this.size < this.limit;
  }

  /** Returns a free packet id and marks it in flight. Call only when hasRoom(). */
  acquire(): number {
    if (!this.hasRoom()) throw new Error('in-flight window is full');
    const ids = (this.ids ??= new Set());
    let id = this.nextId;
    while (ids.has(id)) id = id === 0xffff ? 1 : id + 1;
    ids.add(id);
    this.nextId = id === 0xffff ? 1 : id + 1;
    return id;
  }

  /** Frees an id on PUBACK. False when the id was not in flight (a stray or duplicate PUBACK). */
  release(id: number): boolean {
    return this.ids?.delete(id) ?? false;
  }
}
