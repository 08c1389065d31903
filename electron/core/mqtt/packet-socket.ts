/**
 * One TCP/TLS connection seen as a stream of MQTT packets: mqtt-packet's parser on the way in
 * (with the incoming size limit), mqtt-packet's generate for control packets on the way out,
 * and the one place that ends or destroys the socket. The handshake and then the session plug
 * in as its listener; nothing else in the endpoint touches the socket.
 */
import type { Socket } from 'node:net';

import { generate, type Packet, type Parser, parser as createParser } from 'mqtt-packet';

import { RC5 } from './reason-codes';
import type { ProtocolVersion } from './types';

export interface PacketSocketListener {
  packet(packet: Packet): void;
  /** A malformed or oversize packet; the socket closes itself right after. */
  protocolError(kind: string, message: string): void;
  /** Called once, when the socket is fully closed. */
  closed(reason: string): void;
}

/** How long a graceful close (DISCONNECT, FIN) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** CONNACK "unacceptable protocol version" in the 3.1.1 layout, for a CONNECT we cannot parse. */
const CONNACK_UNSUPPORTED_VERSION = Buffer.from([0x20, 0x02, 0x00, 0x01]);

/**
 * mqtt-packet parsers routed to whichever connection is parsing. A parser costs about 1.6 KB,
 * more than the rest of an idle session: connections share one while their data arrives as
 * whole packets (the usual case), and a connection takes one of its own only while a packet is
 * split across reads, giving it back once the parser is empty again.
 */
class RoutedParser {
  target: PacketSocket | undefined;
  readonly parser: Parser = createParser();

  constructor() {
    this.parser.on('packet', (packet: Packet) => this.target?.onParsedPacket(packet));
    this.parser.on('error', (err: unknown) => this.target?.onParseError(err));
  }

  /** Holds no partial packet. Reads mqtt-packet's parser state, which its types do not show. */
  get empty(): boolean {
    const state = this.parser as unknown as {
      _stateCounter: number;
      _list: { length: number };
      packet: { length: number };
    };
    return state._stateCounter === 0 && state._list.length === 0 && state.packet.length === -1;
  }
}

let sharedParser = new RoutedParser();

/** What mqtt-packet's parser needs to know of a connection: its protocol version, once known. */
const PARSER_SETTINGS: Record<ProtocolVersion, { protocolVersion: ProtocolVersion }> = {
  3: { protocolVersion: 3 },
  4: { protocolVersion: 4 },
  5: { protocolVersion: 5 },
};
const BEFORE_CONNECT_SETTINGS = {};

/**
 * Socket listeners shared by every connection (one closure each per connection would cost more
 * than the connection's own state); `this` is the socket, which knows its PacketSocket.
 */
// A WeakMap, not a property on the socket: adding one to Node's Socket gives every socket a
// larger out-of-object property array.
const owners = new WeakMap<Socket, PacketSocket>();

function onSocketData(this: Socket, chunk: Buffer): void {
  owners.get(this)?.onData(chunk);
}

function onSocketError(this: Socket, err: Error): void {
  owners.get(this)?.onError(err);
}

function onSocketClose(this: Socket): void {
  owners.get(this)?.onClose();
}

function variableByteIntegerSize(value: number): number {
  if (value < 128) return 1;
  if (value < 16_384) return 2;
  if (value < 2_097_152) return 3;
  return 4;
}

export class PacketSocket {
  readonly remoteAddress: string;
  protocolVersion: ProtocolVersion = 4;
  /** MQTT 5 allows a server DISCONNECT only after a successful CONNACK. */
  disconnectAllowed = false;
  lastReceivedAt = Date.now();
  private closingReason: string | undefined;
  private listener: PacketSocketListener | undefined;
  /** Only while a packet of this connection is split across reads (see RoutedParser). */
  private ownParser: RoutedParser | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private connectSeen = false;
  /**
   * Control packets made while a PUBLISH is written piece by piece: written into the socket
   * then, they would land inside its payload. They go out when the PUBLISH is complete.
   */
  private held: Buffer[] | undefined;
  private heldBytes = 0;

  constructor(
    readonly socket: Socket,
    private readonly maxPacketBytes: number,
    /** Told once the socket has closed, after the listener (a method shared by all sockets). */
    private readonly onSocketClosed: (io: PacketSocket) => void,
    /** Accepted over the connection cap: only there to refuse its CONNECT. */
    readonly overCapacity = false,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    owners.set(socket, this);
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
  }

  /** @internal Resets and TLS failures end up as 'close'; the error itself is only the reason. */
  onError(err: Error): void {
    this.closingReason ??= `socket error: ${err.message}`;
  }

  /** @internal */
  onClose(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.ownParser = undefined;
    this.closingReason ??= 'connection closed by client';
    try {
      this.listener?.closed(this.closingReason);
    } finally {
      this.onSocketClosed(this);
    }
  }

  setListener(listener: PacketSocketListener): void {
    this.listener = listener;
  }

  get closing(): boolean {
    return this.closingReason !== undefined;
  }

  get closeReason(): string | undefined {
    return this.closingReason;
  }

  /** Bytes handed to the socket and not yet flushed to the kernel, and control packets held. */
  get writableLength(): number {
    return this.socket.writableLength + this.heldBytes;
  }

  /** True while the socket wants a 'drain' before more is written. */
  get backpressured(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Writes a control packet (never a data PUBLISH). Returns the socket's backpressure flag. */
  send(packet: Packet): boolean {
    if (this.closing) return false;
    const bytes = generate(packet, { protocolVersion: this.protocolVersion });
    if (this.held) {
      this.held.push(bytes);
      this.heldBytes += bytes.length;
      return true;
    }
    return this.socket.write(bytes);
  }

  /** From now on control packets wait for releaseControlPackets() (a PUBLISH is part-written). */
  holdControlPackets(): void {
    this.held ??= [];
  }

  /** The part-written PUBLISH is complete: what was held goes out, in order. */
  releaseControlPackets(): void {
    const held = this.held;
    this.held = undefined;
    this.heldBytes = 0;
    if (!held || held.length === 0 || this.closing) return;
    this.socket.cork();
    for (const bytes of held) this.socket.write(bytes);
    this.socket.uncork();
  }

  /** Writes a PUBLISH as header + untouched payload (see publish-encoder). */
  writePublish(header: Buffer, payload: Buffer): boolean {
    if (this.closing) return false;
    if (payload.length === 0) return this.socket.write(header);
    this.socket.write(header);
    return this.socket.write(payload);
  }

  /** Writes the next piece of a PUBLISH payload begun with writePublish. */
  writePayloadPiece(piece: Buffer): boolean {
    if (this.closing) return false;
    return this.socket.write(piece);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  /** Once, when the socket's buffer has drained after write() reported backpressure. */
  onceDrain(listener: () => void): void {
    this.socket.once('drain', listener);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.closing) this.socket.resume();
  }

  /**
   * Graceful close: an MQTT 5 DISCONNECT with the reason code when allowed, then FIN; the socket
   * is destroyed if the peer has not closed within a second (it may not be reading at all).
   */
  close(reason: string, disconnectReasonCode?: number): void {
    if (this.closing) return;
    this.closingReason = reason;
    // Inside a part-written PUBLISH a DISCONNECT would be read as payload: the FIN says enough.
    if (
      disconnectReasonCode !== undefined &&
      this.held === undefined &&
      this.protocolVersion === 5 &&
      this.disconnectAllowed &&
      !this.socket.destroyed
    ) {
      this.socket.write(
        generate({ cmd: 'disconnect', reasonCode: disconnectReasonCode }, { protocolVersion: 5 }),
      );
    }
    this.socket.end();
    // Keep reading (and discarding) so the peer's FIN is seen and 'close' follows promptly,
    // even if the socket was paused during authentication.
    this.socket.resume();
    this.graceTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
  }

  /** Immediate close, dropping anything unsent (for peers that do not read). */
  destroy(reason: string): void {
    this.closingReason ??= reason;
    this.socket.destroy();
  }

  /** @internal */
  onData(chunk: Buffer): void {
    if (this.closing) return;
    this.lastReceivedAt = Date.now();
    const routed = this.ownParser ?? sharedParser;
    routed.target = this;
    // mqtt-packet keeps the version it learnt from CONNECT in `settings`: a shared parser must
    // be told which connection's version applies.
    (routed.parser as Parser & { settings: object }).settings = this.connectSeen
      ? PARSER_SETTINGS[this.protocolVersion]
      : BEFORE_CONNECT_SETTINGS;
    const buffered = routed.parser.parse(chunk);
    routed.target = undefined;
    if (routed.empty) {
      this.ownParser = undefined;
    } else if (routed === sharedParser) {
      // A packet is split across reads: this connection keeps the parser holding its start.
      this.ownParser = routed;
      sharedParser = new RoutedParser();
    }
    // The parser holds an incomplete packet's bytes until it is whole: past the limit it can
    // only be an oversize packet, so stop before it grows any further.
    if (!this.closing && buffered > this.maxPacketBytes) {
      this.refuseOversize(`more than ${this.maxPacketBytes} bytes of one packet buffered`);
    }
  }

  /** @internal */
  onParsedPacket(packet: Packet): void {
    if (this.closing) return;
    const remaining = packet.length ?? 0;
    const size = 1 + variableByteIntegerSize(remaining) + remaining;
    if (size > this.maxPacketBytes) {
      this.refuseOversize(`${packet.cmd} of ${size} bytes exceeds ${this.maxPacketBytes}`);
      return;
    }
    if (packet.cmd === 'connect' && !this.connectSeen) {
      this.connectSeen = true;
      // Later packets are written in the version the client speaks.
      this.protocolVersion = packet.protocolVersion ?? 4;
    }
    this.dispatch(packet);
  }

  /** Delivers packets that were parsed earlier and held (e.g. during authentication). */
  replay(packets: readonly Packet[]): void {
    for (const packet of packets) {
      if (this.closing) return;
      this.dispatch(packet);
    }
  }

  private dispatch(packet: Packet): void {
    try {
      this.listener?.packet(packet);
    } catch (err) {
      // A bug in a handler must cost one connection, never the process.
      const message = err instanceof Error ? err.message : String(err);
      this.listener?.protocolError('internal-error', `handling ${packet.cmd}: ${message}`);
      this.close(`internal error: ${message}`, RC5.implementationSpecificError);
    }
  }

  /** @internal */
  onParseError(err: unknown): void {
    if (this.closing) return;
    const message = err instanceof Error ? err.message : String(err);
    if (!this.connectSeen && message === 'Invalid protocol version') {
      this.listener?.protocolError('unsupported-protocol-version', message);
      this.closingReason = 'unsupported protocol version';
      this.socket.end(CONNACK_UNSUPPORTED_VERSION);
      this.graceTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
      return;
    }
    this.listener?.protocolError('malformed-packet', message);
    this.close(`malformed packet: ${message}`, RC5.malformedPacket);
  }

  private refuseOversize(message: string): void {
    this.listener?.protocolError('packet-too-large', message);
    this.close(`packet too large: ${message}`, RC5.packetTooLarge);
  }
}
