/**
 * The station's embedded MQTT endpoint: a TCP (or TLS) server and the registry of its sessions.
 * Like ThingsBoard's MQTT transport it is not a broker: every PUBLISH is an API call handed to
 * the handlers, and answers go to the calling session only.
 */
import type { Socket } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';

import { guarded } from '../guarded';
import { ListeningEndpoint } from '../listener/listening-endpoint';
import { MovableListener, serverBind } from '../listener/movable-listener';
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
  // Room for a large site and the 10,000-device connect storm of the benchmark.
  maxConnections: 16_384,
  // A device asking for no keep-alive (0) is still dropped after 1.5 x 5 minutes of silence.
  maxKeepAliveSeconds: 300,
};

/**
 * Connections over the cap that are kept just long enough to answer their CONNECT with "quota
 * exceeded" (a device then backs off instead of retrying at once); beyond these, closed unread.
 */
const REFUSAL_SLOTS = 64;
const REFUSAL_TIMEOUT_MS = 2000;

/**
 * How often keep-alives are checked, all sessions in one pass: one timer for the endpoint
 * instead of one per session (10,000 idle devices, 10,000 timers). A silent session is closed
 * between 1.5 x its keep-alive and that plus this.
 */
const KEEPALIVE_SWEEP_MS = 500;

/**
 * Per-socket write buffer before write() reports backpressure. Node's 16 KiB default would make
 * every 64-512 KiB chunk response wait for 'drain' on its own; the queue cap still bounds the
 * total (queuedBytes counts this buffer too).
 */
const SOCKET_HIGH_WATER_MARK = 256 * 1024;

type Limits = typeof DEFAULTS;

/** Each limit as given, else its default; one that is not a positive integer is refused. */
function limitsOf(opts: Partial<Limits>): Limits {
  const limits = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof Limits)[]) {
    const value = opts[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`MqttEndpoint option ${name} must be a positive integer, got ${value}`);
    }
    limits[name] = value;
  }
  if (limits.maxIncomingPacketBytes > 268_435_460) {
    throw new RangeError('maxIncomingPacketBytes exceeds the largest MQTT packet');
  }
  if (limits.maxKeepAliveSeconds > 0xffff) {
    throw new RangeError('maxKeepAliveSeconds exceeds the 65535 s MQTT allows');
  }
  return limits;
}

export { ListenerMoveError } from '../listener/movable-listener';

export class MqttEndpoint<P> extends ListeningEndpoint {
  private readonly handlers: SessionHandlers<P>;
  private readonly subscribableFilters: ReadonlySet<string>;
  private readonly limits: Limits;
  /** Connections over the cap waiting for their CONNECT to be refused. */
  private refusing = 0;
  /** The listening socket, which a rebind moves (sessions stay). */
  protected readonly listener: MovableListener;
  private readonly liveSessions = new Set<MqttSession<P>>();
  /** Every open connection, including those not yet past CONNACK. */
  private readonly connections = new Set<PacketSocket>();
  private closed: Promise<void> | undefined;
  private keepAliveSweep: NodeJS.Timeout | undefined;

  /** Sessions past a successful CONNACK and not yet closed. */
  readonly sessions: ReadonlySet<MqttSession<P>> = this.liveSessions;

  constructor(opts: MqttEndpointOptions<P>) {
    super();
    this.handlers = opts.handlers;
    this.subscribableFilters = new Set(opts.subscribableFilters);
    this.limits = limitsOf(opts);
    const socketOptions = { noDelay: true, highWaterMark: SOCKET_HIGH_WATER_MARK };
    const tlsOptions = opts.tls;
    // A rebind makes a new server of the same kind: a TLS listener stays TLS.
    const createServer = tlsOptions
      ? () => {
          const server = tls.createServer({
            ...socketOptions,
            key: tlsOptions.key,
            cert: tlsOptions.cert,
          });
          server.on('secureConnection', (socket) => this.accept(socket));
          server.on('tlsClientError', (err, socket) =>
            this.report({
              remoteAddress: socket.remoteAddress ?? 'unknown',
              kind: 'tls-error',
              message: err.message,
            }),
          );
          return server;
        }
      : () => net.createServer(socketOptions, (socket) => this.accept(socket));
    // Later server errors (rare: e.g. EMFILE on accept) are reported, never thrown.
    this.listener = new MovableListener(
      serverBind(createServer, (host, err) =>
        this.report({ remoteAddress: host, kind: 'server-error', message: err.message }),
      ),
      opts.host,
      opts.port,
      'MqttEndpoint',
      'mqtt',
    );
  }

  private get shuttingDown(): boolean {
    return this.listener.isShuttingDown;
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
    if (this.keepAliveSweep) clearInterval(this.keepAliveSweep);
    // From here no connection is accepted (accept checks shuttingDown), nor a listener opened.
    const serverClosed = this.listener.close();
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
    const overCapacity = this.connections.size - this.refusing >= this.limits.maxConnections;
    if (overCapacity && this.refusing >= REFUSAL_SLOTS) {
      // A flood: closing unread is all that is left, or it would exhaust the descriptors.
      socket.destroy();
      return;
    }
    const io = new PacketSocket(
      socket,
      this.limits.maxIncomingPacketBytes,
      this.connectionClosed,
      overCapacity,
    );
    this.connections.add(io);
    if (overCapacity) this.refusing++;
    runConnectHandshake<P>(io, {
      handlers: this.handlers,
      connectTimeoutMs: overCapacity
        ? Math.min(REFUSAL_TIMEOUT_MS, this.limits.connectTimeoutMs)
        : this.limits.connectTimeoutMs,
      maxIncomingPacketBytes: this.limits.maxIncomingPacketBytes,
      maxKeepAliveSeconds: this.limits.maxKeepAliveSeconds,
      overCapacity,
      report: this.report,
      isShuttingDown: () => this.shuttingDown,
      accepted: ({ io: acceptedIo, info, principal, connect, buffered, keepAliveSeconds }) => {
        const clientReceiveMaximum = connect.properties?.receiveMaximum;
        const session = new MqttSession<P>({
          io: acceptedIo,
          connect: info,
          keepAliveSeconds,
          principal,
          handlers: this.handlers,
          subscribableFilters: this.subscribableFilters,
          maxInflight: Math.min(
            this.limits.maxInflight,
            clientReceiveMaximum ?? this.limits.maxInflight,
          ),
          maxQueuedBytes: this.limits.maxQueuedBytes,
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
        this.keepAliveSweep ??= this.startKeepAliveSweep();
        session.attach();
        this.callHook('onConnected', () => this.handlers.onConnected?.(session), session);
        acceptedIo.replay(buffered);
      },
    });
  }

  /** One function for every connection: a closure each would cost memory per idle session. */
  private readonly connectionClosed = (io: PacketSocket): void => {
    this.connections.delete(io);
    if (io.overCapacity) this.refusing--;
  };

  private startKeepAliveSweep(): NodeJS.Timeout {
    const timer = setInterval(
      guarded('checking MQTT keep-alives', () => {
        const now = Date.now();
        for (const session of this.liveSessions) session.checkKeepAlive(now);
      }),
      KEEPALIVE_SWEEP_MS,
    );
    timer.unref();
    return timer;
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
        remoteAddress: session?.remoteAddress ?? this.listener.requestedHost,
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
