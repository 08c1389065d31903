/**
 * node-coap's server (RFC 7252 message layer, RFC 7641 notifications) with what the station
 * needs on top of it, each checked against the library's 1.5.0 sources:
 *
 * - A duplicate request (the same message id from the same peer, RFC 7252 §4.5) is processed
 *   once. The library answers a duplicate from its response cache only once the response has
 *   gone out piggybacked; a duplicate that arrives while the request is still being handled,
 *   or after the library sent an empty ACK and a separate response, it handles again.
 * - Its response cache is bounded in entries too, not only in bytes: each entry also holds a
 *   retransmission timer object, so a flood of tiny answers could otherwise hold millions.
 * - Requests being handled at once are bounded (5.03 past the cap).
 * - Block1 (request bodies in several datagrams) is refused with 4.13: the library reassembles
 *   them in an unbounded map, and no device request the station serves needs more than one
 *   datagram.
 * - A CoAP ping (an empty CON) gets its RST.
 *
 * Responses bypass the library's Block2 handling (see sendResponse).
 */
import type dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

import {
  type CoapPacket,
  type IncomingMessage,
  type ObserveWriteStream,
  OutgoingMessage,
  parameters,
  Server,
} from 'coap';
import { generate, type NamedOption } from 'coap-packet';

import { type CachedDatagram, messageType, ResponseCache } from './response-cache';

export interface CoapServerLimits {
  /** Requests handled at once; more are answered 5.03 at once. */
  maxInFlight: number;
  /** Responses kept to answer retransmissions, by count and by bytes. */
  maxCachedResponses: number;
  maxCachedBytes: number;
  /** How long a response may take and still ride on the ACK (ThingsBoard waits 500 ms). */
  piggybackReplyMs: number;
}

export const DEFAULT_COAP_SERVER_LIMITS: CoapServerLimits = {
  maxInFlight: 2048,
  maxCachedResponses: 10_000,
  maxCachedBytes: 32 * 1024 * 1024,
  piggybackReplyMs: 500,
};

/** The response a handler writes: a plain one, or a notification stream (GET with Observe:0). */
export type CoapResponse = OutgoingMessage | ObserveWriteStream;

/**
 * Handles one request. It answers through `res` (sendResponse); the returned promise settles
 * once it has answered (or decided not to), which ends the request's in-flight state.
 */
export type CoapRequestHandler = (req: IncomingMessage, res: CoapResponse) => void | Promise<void>;

/** Something the server refused before any handler saw it. */
export interface CoapServerRefusal {
  kind: 'coap-overloaded' | 'coap-block1' | 'coap-handler-error';
  message: string;
  remoteAddress: string;
}

/** A request still in flight after this long is a handler that never answered: forgotten. */
const STALE_IN_FLIGHT_MS = 60_000;

export interface CoapServerStats {
  requests: number;
  /** Retransmitted or duplicated requests, answered without being handled again. */
  duplicates: number;
  /** Datagrams that are not CoAP at all. */
  malformed: number;
}

export class StationCoapServer extends Server {
  private readonly inFlight = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  readonly stats: CoapServerStats = { requests: 0, duplicates: 0, malformed: 0 };

  constructor(
    private readonly socket: dgram.Socket,
    private readonly handler: CoapRequestHandler,
    /** Whether a GET with Observe:0 to this url may start an observation. */
    private readonly observable: (url: string) => boolean,
    private readonly onRefusal: (refusal: CoapServerRefusal) => void,
    private readonly limits: CoapServerLimits = DEFAULT_COAP_SERVER_LIMITS,
  ) {
    super({ piggybackReplyMs: limits.piggybackReplyMs, sendAcksForNonConfirmablePackets: true });
    this._lru = new ResponseCache(
      limits.maxCachedResponses,
      limits.maxCachedBytes,
      parameters.exchangeLifetime * 1000,
    ) as Server['_lru'];
    this.on('request', (req: IncomingMessage, res: CoapResponse) => this.dispatch(req, res));
    this.sweeper = setInterval(() => this.forgetStale(), STALE_IN_FLIGHT_MS / 4);
    this.sweeper.unref();
    this.listen(socket);
  }

  override close(done?: (err?: Error) => void): this {
    clearInterval(this.sweeper);
    this.inFlight.clear();
    return super.close(done);
  }

  /** Answers held for retransmissions right now. */
  get cachedResponses(): number {
    return this._lru.size;
  }

  /** Stops serving, then closes the socket once what was just sent has left. */
  async shutdown(): Promise<void> {
    this.close();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  override _handle(packet: CoapPacket, rsinfo: AddressInfo): void {
    const code = packet.code ?? '';
    if (code === '0.00') {
      this.onEmptyMessage(packet, rsinfo);
      return;
    }
    // Responses and ACK/RST carrying a code are the library's business (it ignores them).
    if (!code.startsWith('0.') || packet.ack || packet.reset) {
      super._handle(packet, rsinfo);
      return;
    }
    const key = exchangeKey(rsinfo, packet.messageId ?? 0);
    const cached = this.cachedReply(key, packet);
    if (cached) {
      this.stats.duplicates++;
      this.socket.send(cached, rsinfo.port, rsinfo.address);
      return;
    }
    if (this.inFlight.has(key)) {
      // Its answer is coming; a retransmission after that is answered from the cache.
      this.stats.duplicates++;
      return;
    }
    if (this.inFlight.size >= this.limits.maxInFlight) {
      this.answer(packet, rsinfo, '5.03', [{ name: 'Max-Age', value: Buffer.of(5) }]);
      this.onRefusal({
        kind: 'coap-overloaded',
        message: `${this.inFlight.size} CoAP requests in progress (the limit): answered 5.03`,
        remoteAddress: rsinfo.address,
      });
      return;
    }
    if (code !== '0.01' && code !== '0.02') {
      // ThingsBoard's resources take GET and POST only.
      this.answer(packet, rsinfo, '4.05', []);
      return;
    }
    if (packet.options?.some((option) => option.name === 'Block1')) {
      this.answer(packet, rsinfo, '4.13', [
        { name: 'Size1', value: uint(parameters.maxPayloadSize) },
      ]);
      this.onRefusal({
        kind: 'coap-block1',
        message: `Request body sent in blocks (Block1) refused: at most ${parameters.maxPayloadSize} bytes in one datagram`,
        remoteAddress: rsinfo.address,
      });
      return;
    }
    const observing = packet.options?.some((option) => option.name === 'Observe') ?? false;
    if (observing && (code !== '0.01' || !this.observable(uriPath(packet)))) {
      // Observe means nothing on a POST, nor on a resource that never changes (RFC 7641 §2: a
      // server may ignore it); the library would refuse the POST without saying to whom, and
      // answer the GET as a notification stream.
      packet.options = packet.options?.filter((option) => option.name !== 'Observe');
    }
    this.stats.requests++;
    this.inFlight.set(key, Date.now());
    try {
      super._handle(packet, rsinfo);
    } catch (error) {
      // The library answers 5.00 (_sendError); the request is no longer in flight.
      this.inFlight.delete(key);
      throw error;
    }
  }

  /**
   * The answer already sent to this request, if any. The library caches a piggybacked answer
   * under id and token, but the empty ACK it sends once a request outlasts the piggyback
   * window under the id alone, while it looks duplicates up by id and token: a retransmission
   * after an empty ACK would be handled again. Both are found here. Our own CON messages are
   * cached under their ids too, so only what answers a request counts: an ACK (to a CON
   * request) or a NON with the request's token (to a NON request).
   */
  private cachedReply(key: string, packet: CoapPacket): CachedDatagram | undefined {
    const token = packet.token?.toString('hex') ?? '';
    const withToken = this._lru.peek(key + token) as CachedDatagram | undefined;
    const candidates = token
      ? [withToken, this._lru.peek(key) as CachedDatagram | undefined]
      : [withToken];
    for (const datagram of candidates) {
      if (!datagram || datagram.length < 4) continue;
      const type = messageType(datagram);
      if (packet.confirmable ? type === 2 : type === 1 && datagram === withToken) return datagram;
    }
    return undefined;
  }

  /**
   * node-coap's error replies go to the peer's port without its address (so to this computer),
   * and a datagram it could not parse has no message id to answer: dropped, as RFC 7252 §4.2
   * allows for a message that cannot be parsed.
   */
  override _sendError(
    payload: Buffer,
    rsinfo: AddressInfo,
    packet?: CoapPacket,
    code = '5.00',
  ): void {
    if (!packet) {
      this.stats.malformed++;
      return;
    }
    this.answer(packet, rsinfo, code, [], payload);
  }

  private onEmptyMessage(packet: CoapPacket, rsinfo: AddressInfo): void {
    // ACK and RST settle the library's own CON responses and notifications.
    if (packet.ack || packet.reset) super._handle(packet, rsinfo);
    else if (packet.confirmable)
      this.send({ code: '0.00', reset: true, messageId: packet.messageId }, rsinfo);
  }

  private dispatch(req: IncomingMessage, res: CoapResponse): void {
    const key = exchangeKey(req.rsinfo, req._packet.messageId ?? 0);
    const settle = (): void => {
      this.inFlight.delete(key);
    };
    res.on('error', (error: Error) => this.handlerError(req, error));
    let pending: void | Promise<void>;
    try {
      pending = this.handler(req, res);
    } catch (error) {
      settle();
      this.handlerError(req, error, res);
      return;
    }
    if (!pending) {
      settle();
      return;
    }
    pending.then(settle, (error: unknown) => {
      settle();
      this.handlerError(req, error, res);
    });
  }

  /** A bug in a handler answers 5.00 (if nothing was answered yet) and never ends the station. */
  private handlerError(req: IncomingMessage, error: unknown, res?: CoapResponse): void {
    this.onRefusal({
      kind: 'coap-handler-error',
      message: `Could not handle a CoAP ${req.method ?? ''} request: ${String(error)}`,
      remoteAddress: req.rsinfo.address,
    });
    if (res && !res.writableEnded) {
      try {
        sendResponse(res, '5.00');
      } catch {
        // The response is already broken: the device retransmits or times out.
      }
    }
  }

  /** A reply made here, outside the library: piggybacked on the ACK of a CON request. */
  private answer(
    packet: CoapPacket,
    rsinfo: AddressInfo,
    code: string,
    options: NamedOption[],
    payload?: Buffer,
  ): void {
    this.send(
      {
        code,
        messageId: packet.messageId,
        token: packet.token,
        ack: Boolean(packet.confirmable),
        options,
        ...(payload ? { payload } : {}),
      },
      rsinfo,
    );
  }

  /** Sends one datagram on the server's socket (nothing of it is cached or retransmitted). */
  send(packet: CoapPacket, rsinfo: Pick<AddressInfo, 'address' | 'port'>): void {
    const datagram = generate(packet, parameters.maxMessageSize);
    this.socket.send(datagram, rsinfo.port, rsinfo.address);
  }

  private forgetStale(): void {
    const before = Date.now() - STALE_IN_FLIGHT_MS;
    for (const [key, since] of this.inFlight) if (since < before) this.inFlight.delete(key);
  }
}

/**
 * Answers a request. node-coap's own `end` re-slices every body of 1024 bytes or more into
 * Block2 blocks itself, XOR-folding the whole body into an ETag on every block request, and
 * answers 4.02 to a block it thinks is past the end; the station slices bodies itself
 * (coap-body.ts), so the base class sends exactly the bytes given.
 */
export function sendResponse(
  res: CoapResponse,
  code: string,
  payload?: Buffer,
  options: Partial<Record<NamedOption['name'], Buffer | number | string>> = {},
): void {
  for (const [name, value] of Object.entries(options)) {
    res.setOption(name as NamedOption['name'], value);
  }
  res.code = code;
  res.statusCode = code;
  if (res instanceof OutgoingMessage) OutgoingMessage.prototype.end.call(res, payload);
  else res.end(payload);
}

export function exchangeKey(
  peer: Pick<AddressInfo, 'address' | 'port'>,
  messageId: number,
): string {
  // The library's own key format: it answers duplicates from the same cache.
  return `${peer.address}:${peer.port}/${messageId}`;
}

/** '/' + the Uri-Path options joined by '/', as node-coap builds a request's url. */
function uriPath(packet: CoapPacket): string {
  const segments = (packet.options ?? [])
    .filter((option) => option.name === 'Uri-Path')
    .map((option) => String(option.value));
  return `/${segments.join('/')}`;
}

function uint(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}
