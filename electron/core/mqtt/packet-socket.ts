/**
 * One TCP/TLS connection seen as a stream of MQTT packets: mqtt-packet's parser on the way in
 * (with the incoming size limit), mqtt-packet's generate for control packets on the way out,
 * and the one place that ends or destroys the socket. The handshake and then the session plug
 * in as its listener; nothing else in the endpoint touches the socket.
 */
import type { Socket } from 'node:net';
import { generate, parser as createParser, type Packet, type Parser } from 'mqtt-packet';
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
  private readonly parser: Parser;
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
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.parser = createParser();
    this.parser.on('packet', (packet: Packet) => this.onParsedPacket(packet));
    this.parser.on('error', (err: unknown) => this.onParseError(err));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Resets and TLS failures end up as 'close'; the error itself is only the reason.
    socket.on('error', (err: Error) => {
      this.closingReason ??= `socket error: ${err.message}`;
    });
    socket.on('close', () => {
      if (this.graceTimer) clearTimeout(this.graceTimer);
      this.closingReason ??= 'connection closed by client';
      this.listener?.closed(this.closingReason);
    });
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

  onDrain(listener: () => void): void {
    this.socket.on('drain', listener);
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

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    this.lastReceivedAt = Date.now();
    const buffered = this.parser.parse(chunk);
    // The parser holds an incomplete packet's bytes until it is whole: past the limit it can
    // only be an oversize packet, so stop before it grows any further.
    if (!this.closing && buffered > this.maxPacketBytes) {
      this.refuseOversize(`more than ${this.maxPacketBytes} bytes of one packet buffered`);
    }
  }

  private onParsedPacket(packet: Packet): void {
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

  private onParseError(err: unknown): void {
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
