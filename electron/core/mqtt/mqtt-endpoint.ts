/**
 * The station's embedded MQTT endpoint: a TCP (or TLS) server and the registry of its sessions.
 * Like ThingsBoard's MQTT transport it is not a broker: every PUBLISH is an API call handed to
 * the handlers, and answers go to the calling session only.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Socket } from 'node:net';
import { guarded } from '../guarded';
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

/** Tries at re-opening the previous address after a failed rebind, REOPEN_DELAY_MS apart. */
const REOPEN_ATTEMPTS = 5;
const REOPEN_DELAY_MS = 200;

/**
 * A rebind that could not bind the new host. `restoreError` undefined: the previous listener is
 * open again; otherwise the endpoint accepts nothing until the next successful rebind.
 */
export class ListenerMoveError extends Error {
  override readonly name = 'ListenerMoveError';
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
    /** The host listened on before; undefined when there was no listener to go back to. */
    readonly previousHost: string | undefined,
    readonly restoreError: unknown,
  ) {
    super(
      `Cannot listen on ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }

  /** Whether the endpoint accepts connections again on previousHost. */
  get restored(): boolean {
    return this.previousHost !== undefined && this.restoreError === undefined;
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`MqttEndpoint option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

export class MqttEndpoint<P> {
  /** The host asked for (listen, then rebind): compared as given, never resolved. */
  private host: string;
  /** The port asked for; once bound, the port actually bound, which rebinds keep. */
  private port: number;
  private readonly handlers: SessionHandlers<P>;
  private readonly subscribableFilters: ReadonlySet<string>;
  private readonly maxIncomingPacketBytes: number;
  private readonly maxInflight: number;
  private readonly maxQueuedBytes: number;
  private readonly connectTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly maxKeepAliveSeconds: number;
  /** Connections over the cap waiting for their CONNECT to be refused. */
  private refusing = 0;
  /** Makes one listening server; a rebind closes one and opens another (sessions stay). */
  private readonly createServer: () => net.Server;
  /** The server accepting right now; undefined before listen() and after a failed rebind. */
  private server: net.Server | undefined;
  private bound: { host: string; port: number } | undefined;
  /** Rebinds one after another: each starts from what the previous one left. */
  private moving: Promise<unknown> = Promise.resolve();
  private readonly liveSessions = new Set<MqttSession<P>>();
  /** Every open connection, including those not yet past CONNACK. */
  private readonly connections = new Set<PacketSocket>();
  private shuttingDown = false;
  private closed: Promise<void> | undefined;
  private keepAliveSweep: NodeJS.Timeout | undefined;

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
    this.maxConnections = positiveInteger(
      'maxConnections',
      opts.maxConnections,
      DEFAULTS.maxConnections,
    );
    this.maxKeepAliveSeconds = positiveInteger(
      'maxKeepAliveSeconds',
      opts.maxKeepAliveSeconds,
      DEFAULTS.maxKeepAliveSeconds,
    );
    if (this.maxKeepAliveSeconds > 0xffff) {
      throw new RangeError('maxKeepAliveSeconds exceeds the 65535 s MQTT allows');
    }
    const socketOptions = { noDelay: true, highWaterMark: SOCKET_HIGH_WATER_MARK };
    const tlsOptions = opts.tls;
    // A rebind makes a new server of the same kind: a TLS listener stays TLS.
    this.createServer = tlsOptions
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
  }

  /** Starts listening on the configured host only. Resolves with the bound address. */
  async listen(): Promise<{ host: string; port: number }> {
    if (this.server) throw new Error('MqttEndpoint is already listening');
    return this.open(this.host, this.port);
  }

  /** Where the endpoint accepts connections now; undefined while it does not. */
  address(): { host: string; port: number } | undefined {
    return this.bound ? { ...this.bound } : undefined;
  }

  /**
   * Moves the listener to another host on the same port, keeping every open connection (closing
   * a server only stops it accepting). The old listener is closed first: Linux refuses 0.0.0.0:P
   * while 127.0.0.1:P is bound, and the other way round. If the new host can't be bound, the
   * previous one is opened again and ListenerMoveError tells both outcomes. Calls are serialized.
   */
  rebind(host: string): Promise<{ host: string; port: number }> {
    const move = this.moving.then(() => this.move(host));
    this.moving = move.catch(() => undefined);
    return move;
  }

  private async move(host: string): Promise<{ host: string; port: number }> {
    if (this.shuttingDown) throw new Error('MqttEndpoint is shutting down');
    const current = this.bound;
    if (current && host === this.host) return { ...current };
    // No listener (never opened, or a failed restore): just try the new host.
    const previousHost = current ? this.host : undefined;
    const port = this.port;
    this.stopAccepting();
    try {
      return await this.open(host, port);
    } catch (error) {
      const restoreError =
        previousHost === undefined ? undefined : await this.reopen(previousHost, port);
      throw new ListenerMoveError(host, port, error, previousHost, restoreError);
    }
  }

  /** The previous listener again; a few tries, since the port was free a moment ago. */
  private async reopen(host: string, port: number): Promise<unknown> {
    let lastError: unknown;
    for (let attempt = 0; attempt < REOPEN_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
      if (this.shuttingDown) return new Error('MqttEndpoint is shutting down');
      try {
        await this.open(host, port);
        return undefined;
      } catch (error) {
        lastError = error;
      }
    }
    return lastError;
  }

  /** Closes the listening socket at once; its connections carry on (and are still tracked). */
  private stopAccepting(): void {
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    // libuv closes the socket synchronously, so the port is free for the next bind right away;
    // the callback only fires once this server's last connection has ended.
    if (server?.listening) server.close(() => undefined);
  }

  private open(host: string, port: number): Promise<{ host: string; port: number }> {
    const server = this.createServer();
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        if (this.shuttingDown) {
          // close() ran while this bind was under way: it must not outlive the endpoint.
          server.close();
          reject(new Error('MqttEndpoint is shutting down'));
          return;
        }
        // Later server errors (rare: e.g. EMFILE on accept) are reported, never thrown.
        server.on('error', (err) =>
          this.report({ remoteAddress: host, kind: 'server-error', message: err.message }),
        );
        const address = server.address() as net.AddressInfo;
        this.server = server;
        this.host = host;
        this.port = address.port;
        this.bound = { host: address.address, port: address.port };
        resolve({ ...this.bound });
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
    if (this.keepAliveSweep) clearInterval(this.keepAliveSweep);
    // A rebind in progress finishes first (it checks shuttingDown), so no listener opens after.
    await this.moving;
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    // Servers closed by a rebind already stopped accepting; their sockets are in connections.
    const serverClosed = new Promise<void>((resolve) =>
      server ? server.close(() => resolve()) : resolve(),
    );
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
    const overCapacity = this.connections.size - this.refusing >= this.maxConnections;
    if (overCapacity && this.refusing >= REFUSAL_SLOTS) {
      // A flood: closing unread is all that is left, or it would exhaust the descriptors.
      socket.destroy();
      return;
    }
    const io = new PacketSocket(
      socket,
      this.maxIncomingPacketBytes,
      this.connectionClosed,
      overCapacity,
    );
    this.connections.add(io);
    if (overCapacity) this.refusing++;
    runConnectHandshake<P>(io, {
      handlers: this.handlers,
      connectTimeoutMs: overCapacity
        ? Math.min(REFUSAL_TIMEOUT_MS, this.connectTimeoutMs)
        : this.connectTimeoutMs,
      maxIncomingPacketBytes: this.maxIncomingPacketBytes,
      maxKeepAliveSeconds: this.maxKeepAliveSeconds,
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
