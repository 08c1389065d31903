/**
 * One accepted MQTT connection after its CONNACK: subscriptions, inbound PUBLISH dispatch with
 * acknowledgements, and the outbound queue with its QoS 1 window and socket backpressure.
 * Nothing here is ever routed to another session: publish() writes to this session only.
 */
import type { IPublishPacket, ISubscribePacket, IUnsubscribePacket, Packet } from 'mqtt-packet';

import { InflightWindow, OutboundQueue } from './outbound-queue';
import type { PacketSocket, PacketSocketListener } from './packet-socket';
import {
  isPayloadSource,
  type PayloadSource,
  PayloadStream,
  STREAM_PIECE_BYTES,
} from './payload-stream';
import {
  encodePublishHeader,
  MAX_REMAINING_LENGTH,
  publishFitsMqtt,
  publishPacketSize,
} from './publish-encoder';
import {
  isFailureReasonCode,
  isValidPubackReasonCode,
  RC5,
  SUBACK_FAILURE_311,
} from './reason-codes';
import { SubscriptionTable } from './subscription-table';
import type { ConnectInfo, ProtocolErrorSink, ProtocolVersion, SessionHandlers } from './types';

/** What the endpoint hands a session when it accepts a CONNECT. Not for use by the API layer. */
export interface SessionInit<P> {
  io: PacketSocket;
  connect: ConnectInfo;
  /** The keep-alive granted (the endpoint's maximum applied), not necessarily the one asked. */
  keepAliveSeconds: number;
  principal: P;
  handlers: SessionHandlers<P>;
  subscribableFilters: ReadonlySet<string>;
  maxInflight: number;
  maxQueuedBytes: number;
  /** MQTT 5 client's Maximum Packet Size: nothing bigger may be sent to it. */
  clientMaxPacketBytes: number | undefined;
  report: ProtocolErrorSink<P>;
  onClosed(session: MqttSession<P>, reason: string): void;
}

/** A topic NAME (not filter) as a client may publish to: no wildcards, no NUL (MQTT §4.7). */
function isValidTopicName(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.includes('\0');
}

let lastSessionNumber = 0;

/**
 * Idle sessions are what a station holds most of, so one costs as little as possible: no
 * timer (the endpoint sweeps keep-alives), no closures, and the tables for in-flight ids,
 * QoS 2 receipts and subscriptions only once they are used.
 */
export class MqttSession<P> implements PacketSocketListener {
  /** Unique within this process; numbered rather than random (a UUID string costs 0.5 KB). */
  readonly id: string = `session-${++lastSessionNumber}`;
  readonly clientId: string;
  readonly protocolVersion: ProtocolVersion;
  readonly remoteAddress: string;
  readonly principal: P;
  readonly connectedAt: number = Date.now();

  private readonly io: PacketSocket;
  private readonly handlers: SessionHandlers<P>;
  private readonly maxQueuedBytes: number;
  private readonly clientMaxPacketBytes: number | undefined;
  private readonly report: ProtocolErrorSink<P>;
  private readonly onClosed: (session: MqttSession<P>, reason: string) => void;
  private readonly keepAliveMs: number;

  private readonly subscriptions: SubscriptionTable;
  private readonly queue = new OutboundQueue();
  /** Made for the first payload read on demand: most sessions never have one. */
  private stream: PayloadStream | undefined;
  private readonly inflight: InflightWindow;
  /** Inbound QoS 2 packet ids between PUBREC and PUBREL: a re-sent PUBLISH is not dispatched twice. */
  private awaitingRelease: Set<number> | undefined;
  /** > 0 while onPublish runs: its responses must wait until the PUBACK is written. */
  private holdDepth = 0;
  private socketBlocked = false;
  private ended = false;

  /** @internal Sessions are created by MqttEndpoint. */
  constructor(init: SessionInit<P>) {
    this.io = init.io;
    this.clientId = init.connect.clientId;
    this.protocolVersion = init.connect.protocolVersion;
    this.remoteAddress = init.connect.remoteAddress;
    this.principal = init.principal;
    this.handlers = init.handlers;
    this.subscriptions = new SubscriptionTable(init.subscribableFilters);
    this.maxQueuedBytes = init.maxQueuedBytes;
    this.clientMaxPacketBytes = init.clientMaxPacketBytes;
    this.report = init.report;
    this.onClosed = init.onClosed;
    this.inflight = new InflightWindow(init.maxInflight);
    this.keepAliveMs = init.keepAliveSeconds * 1500; // MQTT §3.1.2.10: one and a half times
  }

  /**
   * Bytes waiting for this session: its queue (a payload not yet read is charged as what it
   * will hold in memory), the message being written, and what the socket has not yet flushed.
   */
  get queuedBytes(): number {
    return this.queue.bytes + (this.stream?.chargedBytes ?? 0) + this.io.writableLength;
  }

  /** False once the connection is closing or closed; publish() is then a no-op. */
  get isOpen(): boolean {
    return !this.ended && !this.io.closing;
  }

  /**
   * Queues a PUBLISH to this session only. QoS = the max QoS granted to this session's
   * subscriptions matching topic (0 if none match: responses are still delivered, as
   * ThingsBoard does), unless opts.qos is given; capped at 1. A PayloadSource is read only when
   * the message is written, piece by piece (see payload-stream).
   * Returns false when it was not queued: the session is closing or was just cut off for its
   * backlog, or the packet is bigger than the client's Maximum Packet Size (MQTT 5) or than MQTT
   * can carry, so the caller can answer with an error the device understands.
   */
  publish(
    topic: string,
    payload: Buffer | string | PayloadSource,
    opts?: { qos?: 0 | 1 },
  ): boolean {
    if (typeof topic !== 'string' || !isValidTopicName(topic)) {
      throw new TypeError(`cannot publish to topic ${JSON.stringify(topic)}: not a topic name`);
    }
    if (Buffer.byteLength(topic) > 0xffff) {
      throw new RangeError('cannot publish: topic longer than 65535 bytes');
    }
    const requested = opts?.qos;
    if (requested !== undefined && requested !== 0 && requested !== 1) {
      throw new RangeError(`cannot publish with QoS ${String(requested)}: only 0 or 1`);
    }
    if (!this.isOpen) return false; // late async responses to a device that has gone are dropped
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    const qos = requested ?? this.subscriptions.qosFor(topic);
    const payloadLength = body.length;
    const fields = {
      topic,
      payloadLength,
      qos,
      messageId: 1,
      protocolVersion: this.protocolVersion,
    };
    const size = publishPacketSize(fields);
    if (!publishFitsMqtt(fields)) {
      this.reportError(
        'packet-too-large-for-mqtt',
        `dropped PUBLISH to '${topic}' of ${size} bytes: MQTT carries at most ${MAX_REMAINING_LENGTH} bytes after the fixed header`,
      );
      return false;
    }
    if (this.clientMaxPacketBytes !== undefined && size > this.clientMaxPacketBytes) {
      this.reportError(
        'packet-too-large-for-client',
        `dropped PUBLISH to '${topic}' of ${size} bytes: client accepts at most ${this.clientMaxPacketBytes}`,
      );
      return false;
    }
    // A source holds at most one piece in memory at a time.
    const bytes = isPayloadSource(body)
      ? size - payloadLength + Math.min(payloadLength, STREAM_PIECE_BYTES)
      : size;
    this.queue.push({ topic, payload: body, qos, bytes });
    if (this.overQueueCap()) return false;
    if (this.holdDepth === 0) this.flush();
    return true;
  }

  /** Cuts off a session whose backlog passed maxQueuedBytes (it is not reading). */
  private overQueueCap(): boolean {
    const queued = this.queuedBytes;
    if (queued <= this.maxQueuedBytes) return false;
    this.reportError(
      'queue-overflow',
      `${queued} bytes queued for a client that is not reading (limit ${this.maxQueuedBytes})`,
    );
    this.queue.clear();
    this.stream?.abandon();
    this.io.destroy('outbound queue overflow');
    return true;
  }

  /** Any granted filter matches. */
  isSubscribed(topic: string): boolean {
    return this.subscriptions.matches(topic);
  }

  /**
   * Closes this connection. MQTT 5 clients first get a DISCONNECT with the reason code
   * (default 0x80 unspecified; e.g. 0x98 administrative action, 0x87 not authorized).
   */
  close(reason: string, v5ReasonCode: number = RC5.unspecifiedError): void {
    this.queue.clear();
    this.io.close(reason, v5ReasonCode);
  }

  /** @internal Takes over the connection from the handshake. */
  attach(): void {
    this.io.setListener(this);
  }

  /** @internal PacketSocketListener: a packet from the client. */
  packet(packet: Packet): void {
    if (!this.isOpen) return;
    this.dispatchPacket(packet);
    // Acknowledgements bypass the queue; a client that sends without ever reading would
    // otherwise grow the socket buffer with them unchecked.
    if (this.isOpen) this.overQueueCap();
  }

  private dispatchPacket(packet: Packet): void {
    switch (packet.cmd) {
      case 'publish':
        this.handlePublish(packet);
        return;
      case 'puback':
        // A stray PUBACK (unknown id) is harmless: nothing to free.
        if (packet.messageId !== undefined) this.inflight.release(packet.messageId);
        this.flush();
        return;
      case 'pubrel':
        this.handlePubrel(packet.messageId ?? 0);
        return;
      case 'subscribe':
        this.handleSubscribe(packet);
        return;
      case 'unsubscribe':
        this.handleUnsubscribe(packet);
        return;
      case 'pingreq':
        this.io.send({ cmd: 'pingresp' });
        return;
      case 'disconnect':
        this.io.close('client disconnected');
        return;
      case 'connect':
        this.fail('second-connect', 'a second CONNECT on one connection', RC5.protocolError);
        return;
      case 'auth':
        this.fail('unexpected-auth', 'AUTH without enhanced authentication', RC5.protocolError);
        return;
      default:
        // connack, suback, unsuback, pingresp are server-to-client only; pubrec/pubcomp answer
        // QoS 2 deliveries, which this server never makes.
        this.fail('unexpected-packet', `unexpected ${packet.cmd} from a client`, RC5.protocolError);
    }
  }

  private handlePublish(packet: IPublishPacket): void {
    if (packet.properties?.topicAlias !== undefined) {
      // CONNACK announced Topic Alias Maximum 0, so any alias is a protocol error (§3.3.2.3.4).
      this.fail(
        'topic-alias',
        `topic alias ${packet.properties.topicAlias} used, none allowed`,
        RC5.topicAliasInvalid,
      );
      return;
    }
    if (!isValidTopicName(packet.topic)) {
      this.fail(
        'invalid-topic',
        `PUBLISH to invalid topic name ${JSON.stringify(packet.topic)}`,
        RC5.topicNameInvalid,
      );
      return;
    }
    const messageId = packet.messageId ?? 0;
    if (packet.qos === 2 && this.awaitingRelease?.has(messageId)) {
      // The client re-sent a PUBLISH we already accepted: acknowledge again, dispatch once.
      this.io.send({ cmd: 'pubrec', messageId, reasonCode: RC5.success });
      return;
    }
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    this.holdDepth++;
    let code: number;
    try {
      code = this.dispatch({
        topic: packet.topic,
        payload,
        qos: packet.qos,
        retain: packet.retain,
      });
    } finally {
      this.holdDepth--;
    }
    // The acknowledgement and the responses made inside the handler leave in one write: a
    // device fetching chunks then wakes once per chunk, not twice (half its work per chunk).
    this.io.cork();
    try {
      if (packet.qos === 1) {
        this.io.send({ cmd: 'puback', messageId, reasonCode: code });
      } else if (packet.qos === 2) {
        this.io.send({ cmd: 'pubrec', messageId, reasonCode: code });
        if (!isFailureReasonCode(code)) (this.awaitingRelease ??= new Set()).add(messageId);
      }
      // Responses made inside the handler go out only now, after the acknowledgement.
      this.flush();
    } finally {
      this.io.uncork();
    }
  }

  /** Runs the API layer's handler; its failures become reason codes, never exceptions. */
  private dispatch(message: {
    topic: string;
    payload: Buffer;
    qos: 0 | 1 | 2;
    retain: boolean;
  }): number {
    let code: unknown;
    try {
      code = this.handlers.onPublish(this, message);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.reportError('handler-error', `onPublish for '${message.topic}' threw: ${text}`);
      return RC5.unspecifiedError;
    }
    if (typeof code !== 'number' || !isValidPubackReasonCode(code)) {
      this.reportError(
        'handler-error',
        `onPublish for '${message.topic}' returned ${String(code)}, not a PUBACK reason code`,
      );
      return RC5.unspecifiedError;
    }
    // A non-zero code is the handler's own decision; it reports why (once), not this layer.
    return code;
  }

  private handlePubrel(messageId: number): void {
    const known = this.awaitingRelease?.delete(messageId) ?? false;
    this.io.send({
      cmd: 'pubcomp',
      messageId,
      reasonCode: known ? RC5.success : RC5.packetIdentifierNotFound,
    });
  }

  private handleSubscribe(packet: ISubscribePacket): void {
    if (packet.properties?.subscriptionIdentifier !== undefined) {
      this.fail(
        'subscription-identifier',
        'subscription identifiers are not supported',
        RC5.subscriptionIdentifiersNotSupported,
      );
      return;
    }
    const refused = this.protocolVersion === 5 ? RC5.topicFilterInvalid : SUBACK_FAILURE_311;
    const granted = packet.subscriptions.map((subscription) => {
      const qos = this.subscriptions.grant(subscription.topic, subscription.qos);
      if (qos !== undefined) return qos;
      this.reportError(
        'subscription-refused',
        `SUBSCRIBE to '${subscription.topic}' refused: not an offered filter`,
        subscription.topic,
      );
      return refused;
    });
    this.io.send({ cmd: 'suback', messageId: packet.messageId ?? 0, granted });
  }

  private handleUnsubscribe(packet: IUnsubscribePacket): void {
    const granted = packet.unsubscriptions.map((filter) =>
      this.subscriptions.remove(filter) ? RC5.success : RC5.noSubscriptionExisted,
    );
    this.io.send({ cmd: 'unsuback', messageId: packet.messageId ?? 0, granted });
  }

  /** Hands queued PUBLISHes to the socket until it pushes back or the QoS 1 window is full. */
  private flush(): void {
    if (this.socketBlocked || this.holdDepth > 0 || !this.isOpen) return;
    // A message read or written in pieces finishes before the next one starts.
    if (this.stream?.resume() === 'waiting') return;
    let corked = false;
    try {
      for (let next = this.queue.peek(); next !== undefined; next = this.queue.peek()) {
        // Strict FIFO: a QoS 0 message never overtakes a QoS 1 one waiting for a slot.
        if (next.qos === 1 && !this.inflight.hasRoom()) break;
        if (!corked) {
          this.io.cork(); // header and payload of each message go out in one writev
          corked = true;
        }
        this.queue.shift();
        const header = encodePublishHeader({
          topic: next.topic,
          payloadLength: next.payload.length,
          qos: next.qos,
          messageId: next.qos === 1 ? this.inflight.acquire() : undefined,
          protocolVersion: this.protocolVersion,
        });
        if (isPayloadSource(next.payload)) {
          // The stream itself waits for the socket's 'drain' or its read, then calls flush().
          if (this.payloadStream().start(header, next.payload, next.bytes) === 'waiting') break;
          if (!this.isOpen) break;
          if (this.io.backpressured) {
            this.waitForDrain();
            break;
          }
        } else if (!this.io.writePublish(header, next.payload)) {
          this.waitForDrain();
          break;
        }
      }
    } finally {
      if (corked) this.io.uncork();
    }
  }

  private payloadStream(): PayloadStream {
    this.stream ??= new PayloadStream(this.io, {
      proceed: () => this.flush(),
      broken: (kind, message) => this.fail(kind, message, RC5.unspecifiedError),
    });
    return this.stream;
  }

  /** Writing resumes on the socket's next 'drain'. */
  private waitForDrain(): void {
    if (this.socketBlocked) return;
    this.socketBlocked = true;
    this.io.onceDrain(() => {
      this.socketBlocked = false;
      this.flush();
    });
  }

  /** @internal Called by the endpoint's sweep: closes the session once silent too long. */
  checkKeepAlive(now: number): void {
    if (!this.isOpen || this.keepAliveMs === 0) return;
    const idle = now - this.io.lastReceivedAt;
    if (idle < this.keepAliveMs) return;
    this.fail(
      'keepalive-timeout',
      `nothing received for ${idle} ms (keep-alive ${this.keepAliveMs / 1500} s)`,
      RC5.keepAliveTimeout,
    );
  }

  private fail(kind: string, message: string, v5ReasonCode: number): void {
    this.reportError(kind, message);
    this.queue.clear();
    this.io.close(`${kind}: ${message}`, v5ReasonCode);
  }

  /** @internal PacketSocketListener: a malformed or oversize packet. */
  protocolError(kind: string, message: string): void {
    this.reportError(kind, message);
  }

  /** @internal PacketSocketListener: the connection has closed. */
  closed(reason: string): void {
    this.handleClosed(reason);
  }

  private reportError(kind: string, message: string, topic?: string): void {
    this.report({
      session: this,
      clientId: this.clientId,
      remoteAddress: this.remoteAddress,
      kind,
      message,
      ...(topic === undefined ? {} : { topic }),
    });
  }

  private handleClosed(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.clear();
    this.stream?.abandon();
    this.awaitingRelease = undefined;
    this.onClosed(this, reason);
  }
}
