/**
 * node-coap's cache of the datagrams it sent, which answers retransmissions, bounded by count
 * as well as bytes, and lightened: for a datagram that is never retransmitted (an ACK, a NON)
 * the library still keeps its retransmission object, with a 202 s timer and a listener holding
 * the whole response stream, about 6 KB an answer. That object is dropped once the datagram
 * is sent (the library attaches it right after caching); a CON keeps it, to be retransmitted.
 */
import { LRUCache } from 'lru-cache';

/** A cached datagram as node-coap stores it: the bytes plus its retransmission state. */
export type CachedDatagram = Buffer & {
  sender?: { reset(): void; removeAllListeners(): unknown };
};

/** Each entry's key and bookkeeping, counted so that the byte bound is a memory bound. */
const ENTRY_OVERHEAD_BYTES = 256;

/** The message type of a CoAP datagram: 0 CON, 1 NON, 2 ACK, 3 RST. */
export function messageType(datagram: Buffer): number {
  return datagram.length > 0 ? (datagram[0]! >> 4) & 0x3 : 0;
}

export class ResponseCache extends LRUCache<string, CachedDatagram> {
  constructor(maxEntries: number, maxBytes: number, ttlMs: number) {
    super({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (datagram) => datagram.byteLength + ENTRY_OVERHEAD_BYTES,
      ttl: ttlMs,
      // An evicted CON is retransmitted no more.
      dispose: (datagram) => datagram.sender?.reset(),
    });
  }

  override set(
    key: string,
    datagram: CachedDatagram,
    options?: LRUCache.SetOptions<string, CachedDatagram, unknown>,
  ): this {
    super.set(key, datagram, options);
    if (messageType(datagram) !== 0) {
      queueMicrotask(() => {
        const sender = datagram.sender;
        if (!sender) return;
        sender.reset();
        sender.removeAllListeners();
        delete datagram.sender;
      });
    }
    return this;
  }
}
