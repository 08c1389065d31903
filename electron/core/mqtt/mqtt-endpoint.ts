/**
 * The station's embedded MQTT endpoint: a TCP (or TLS) server and the registry of its sessions.
 * Like ThingsBoard's MQTT transport it is not a broker: every PUBLISH is an API call handed to
 * the handlers, and answers go to the calling session only.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Socket } from 'node:net';
import { runConnectHandshake } from './connect-handshake';
import { MqttSession } from './mqtt-session';
import { PacketSocket } from './packet-socket';
import { RC5 } from './reason-codes';
import type { MqttEndpointOptions, ProtocolErrorEvent, SessionHandlers } from './types';

const DEFAULTS = {
  maxIncomingPacketBytes: 1024 * 1024,
  maxInflight: 100,
  maxQueuedBytes: 32 * 1024 * 1024,
  connectTimeoutMs: 10_000,
};

/**
 * Per-socket write buffer before write() reports backpressure. Node's 16 KiB default would make
 * every 64-512 KiB chunk response wait for 'drain' on its own; the queue cap still bounds the
 * total (queuedBytes counts this buffer too).
 */
const SOCKET_HIGH_WATER_MARK = 256 * 1024;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`MqttEndpoint option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export class MqttEndpoint<P> {
  private readonly host: string;
  private readonly port: number;
  private readonly handlers: SessionHandlers<P>;
  private readonly subscribableFilters: ReadonlySet<string>;
  private readonly maxIncomingPacketBytes: number;
  private readonly maxInflight: number;
  private readonly maxQueuedBytes: number;
  private readonly connectTimeoutMs: number;
  private readonly server: net.Server;
  private readonly liveSessions = new Set<MqttSession<P>>();
  /** Every open connection, including those not yet past CONNACK. */
  private readonly connections = new Set<PacketSocket>();
  private shuttingDown = false;
  private closed: Promise<void> | undefined;

  /** Sessions past a successful CONNACK and not yet closed. */
  readonly sessions: ReadonlySet<MqttSession<P>> = this.liveSessions;

  constructor(opts: MqttEndpointOptions<P>) {
    if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
      throw new RangeError(`MqttEndpoint port must be 0..65535, got ${opts.port}`);
    }
    this.host = opts.host;
    this.port = opts.port;
    this.handlers = opts.handlers;
    this.subscribableFilters = new Set(opts.subscribableFilters);
    this.maxIncomingPacketBytes = positiveInteger(
      'maxIncomingPacketBytes',
      opts.maxIncomingPacketBytes,
      DEFAULTS.maxIncomingPacketBytes,
    );
    if (this.maxIncomingPacketBytes > 268_435_460) {
      throw new RangeError('maxIncomingPacketBytes exceeds the largest MQTT packet');
    }
    this.maxInflight = positiveInteger('maxInflight', opts.maxInflight, DEFAULTS.maxInflight);
    this.maxQueuedBytes = positiveInteger(
      'maxQueuedBytes',
      opts.maxQueuedBytes,
      DEFAULTS.maxQueuedBytes,
    );
    this.connectTimeoutMs = positiveInteger(
      'connectTimeoutMs',
      opts.connectTimeoutMs,
      DEFAULTS.connectTimeoutMs,
    );
    const socketOptions = { noDelay: true, highWaterMark: SOCKET_HIGH_WATER_MARK };
    if (opts.tls) {
      const server = tls.createServer({ ...socketOptions, key: opts.tls.key, cert: opts.tls.cert });
      server.on('secureConnection', (socket) => this.accept(socket));
      server.on('tlsClientError', (err, socket) =>
        this.report({
          remoteAddress: socket.remoteAddress ?? 'unknown',
          kind: 'tls-error',
          message: err.message,
        }),
      );
      this.server = server;
    } else {
      this.server = net.createServer(socketOptions, (socket) => this.accept(socket));
    }
  }

  /** Starts listening on the configured host only. Resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', onError);
        // Later server errors (rare: e.g. EMFILE on accept) are reported, never thrown.
        this.server.on('error', (err) =>
          this.report({ remoteAddress: this.host, kind: 'server-error', message: err.message }),
        );
        const address = this.server.address() as net.AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /**
   * Stops accepting, sends MQTT 5 sessions DISCONNECT 0x8B (server shutting down), closes every
   * connection and the server. Resolves once all sockets are closed.
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const socketsClosed = [...this.connections].map(
      (io) => new Promise<void>((resolve) => io.socket.once('close', () => resolve())),
    );
    for (const io of this.connections) io.close('server shutting down', RC5.serverShuttingDown);
    await Promise.all([serverClosed, ...socketsClosed]);
  }

  private accept(socket: Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const io = new PacketSocket(socket, this.maxIncomingPacketBytes);
    this.connections.add(io);
    socket.once('close', () => this.connections.delete(io));
    runConnectHandshake<P>(io, {
      handlers: this.handlers,
      connectTimeoutMs: this.connectTimeoutMs,
      maxIncomingPacketBytes: this.maxIncomingPacketBytes,
      report: this.report,
      isShuttingDown: () => this.shuttingDown,
      accepted: ({ io: acceptedIo, info, principal, connect, buffered }) => {
        const clientReceiveMaximum = connect.properties?.receiveMaximum;
        const session = new MqttSession<P>({
          io: acceptedIo,
          connect: info,
          principal,
          handlers: this.handlers,
          subscribableFilters: this.subscribableFilters,
          maxInflight: Math.min(this.maxInflight, clientReceiveMaximum ?? this.maxInflight),
          maxQueuedBytes: this.maxQueuedBytes,
          clientMaxPacketBytes: connect.properties?.maximumPacketSize,
          report: this.report,
          onClosed: (closedSession, reason) => {
            this.liveSessions.delete(closedSession);
            this.callHook('onDisconnected', () =>
              this.handlers.onDisconnected?.(closedSession, reason),
            );
          },
        });
        this.liveSessions.add(session);
        session.attach();
        this.callHook('onConnected', () => this.handlers.onConnected?.(session), session);
        acceptedIo.replay(buffered);
      },
    });
  }

  /** Handler hooks run inside socket callbacks: their failures are reported, never thrown. */
  private callHook(name: string, hook: () => void, session?: MqttSession<P>): void {
    try {
      hook();
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.report({
        session,
        clientId: session?.clientId,
        remoteAddress: session?.remoteAddress ?? this.host,
        kind: 'handler-error',
        message: `${name} threw: ${text}`,
      });
    }
  }

  private readonly report = (event: ProtocolErrorEvent<P>): void => {
    try {
      this.handlers.onProtocolError?.(event);
    } catch {
      // The error sink itself failing must not take a connection (or the process) down.
    }
  };
}
