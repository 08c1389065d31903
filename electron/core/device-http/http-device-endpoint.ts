/**
 * The HTTP device API's listener (HTTP or HTTPS), on the device-facing address that the
 * "Serve the site network" switch moves. Everything a peer can make it hold is bounded: open
 * connections, header and body time, requests queued on one connection, long polls.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

import type { DeviceService } from '../device-api/device-service';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import { guarded } from '../guarded';
import { ListeningEndpoint } from '../listener/listening-endpoint';
import { MovableListener, serverBind } from '../listener/movable-listener';
import { HttpDeviceApi } from './http-device-api';
import {
  DEFAULT_HTTP_DEVICE_LIMITS,
  type HttpDeviceContext,
  type HttpDeviceLimits,
  recordRefusal,
} from './http-device-context';
import { DEFAULT_PRESENCE, HttpPresenceRegistry, type PresenceOptions } from './http-presence';

/** Time-outs and caps, all with defaults; tests shorten them. */
export interface HttpDeviceTuning {
  limits?: Partial<HttpDeviceLimits>;
  presence?: Partial<PresenceOptions>;
  /** Open connections at once; over it a new one is closed at once. Default 16384. */
  maxConnections?: number;
  /** Headers must be whole within this; default 10 s. */
  headersTimeoutMs?: number;
  /** A request (headers and body) must be whole within this; default 30 s. */
  requestTimeoutMs?: number;
  /** An idle kept-alive connection is closed after this; default 15 s. */
  keepAliveTimeoutMs?: number;
}

export interface HttpDeviceEndpointOptions extends HttpDeviceTuning {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls?: { key: Buffer | string; cert: Buffer | string };
  service: DeviceService;
  errors: ProtocolErrorLog;
}

/** Requests one connection may have waiting for their answers (pipelined) before it is cut. */
const MAX_PIPELINED = 8;
/** A connection-limit note at most this often: a flood must not flood the log too. */
const DROP_NOTE_INTERVAL_MS = 1000;
/** Per-socket write buffer, as the MQTT endpoint's: a 64 KiB piece need not wait for drain. */
const SOCKET_HIGH_WATER_MARK = 256 * 1024;

export class HttpDeviceEndpoint extends ListeningEndpoint {
  protected readonly listener: MovableListener;
  private readonly presence: HttpPresenceRegistry;
  private readonly api: HttpDeviceApi;
  private readonly ctx: HttpDeviceContext;
  private readonly sockets = new Set<Socket>();
  private readonly pending = new WeakMap<Socket, number>();
  private dropped = 0;
  private lastDropNote = 0;
  private closed: Promise<void> | undefined;
  readonly tls: boolean;

  constructor(private readonly options: HttpDeviceEndpointOptions) {
    super();
    const limits = { ...DEFAULT_HTTP_DEVICE_LIMITS, ...options.limits };
    this.presence = new HttpPresenceRegistry(options.service, {
      ...DEFAULT_PRESENCE,
      ...options.presence,
    });
    this.ctx = {
      service: options.service,
      errors: options.errors,
      presence: this.presence,
      limits,
    };
    this.api = new HttpDeviceApi(this.ctx);
    this.tls = Boolean(options.tls);
    this.listener = new MovableListener(
      serverBind(
        () => this.createServer(),
        (host, error) => this.note(host, 'server-error', error.message),
      ),
      options.host,
      options.port,
      'HTTP device API',
      'http',
    );
  }

  /** Long polls open right now (for tests and the benchmark). */
  get openPolls(): number {
    return this.presence.openPolls;
  }

  /** Ends every long poll (503) and closes every connection; resolves once all are closed. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      const serverClosed = this.listener.close();
      this.presence.close();
      const socketsClosed = [...this.sockets].map(
        (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
      );
      // Answers already on their way (a poll's 503) get a moment; then everything goes.
      for (const socket of this.sockets) socket.destroySoon();
      const timer = setTimeout(() => this.sockets.forEach((s) => s.destroy()), 1000);
      await Promise.all([serverClosed, ...socketsClosed]);
      clearTimeout(timer);
    })();
    return this.closed;
  }

  private createServer(): http.Server {
    const requestTimeout = this.options.requestTimeoutMs ?? 30_000;
    const serverOptions: http.ServerOptions = {
      highWaterMark: SOCKET_HIGH_WATER_MARK,
      noDelay: true,
      // Node requires the headers' time to fit in the request's.
      headersTimeout: Math.min(this.options.headersTimeoutMs ?? 10_000, requestTimeout),
      requestTimeout,
      keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 15_000,
      // Checked often enough that the time-outs above hold to about a second.
      connectionsCheckingInterval: 1000,
    };
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void =>
      this.onRequest(req, res);
    const server = this.options.tls
      ? https.createServer(
          {
            ...serverOptions,
            key: this.options.tls.key,
            cert: this.options.tls.cert,
            // Node's default is 120 s: a peer that never completes its handshake is not a device.
            handshakeTimeout: this.options.headersTimeoutMs ?? 10_000,
          },
          onRequest,
        )
      : http.createServer(serverOptions, onRequest);
    server.maxConnections = this.options.maxConnections ?? 16_384;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('drop', (data) => this.onDrop(data?.remoteAddress));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
      this.onClientError(error, socket),
    );
    if (this.options.tls)
      server.on('tlsClientError', (error: Error, socket: Socket) =>
        this.note(socket.remoteAddress ?? 'unknown', 'tls-error', error.message),
      );
    return server;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const socket = req.socket;
    const waiting = (this.pending.get(socket) ?? 0) + 1;
    this.pending.set(socket, waiting);
    res.once('close', () => this.pending.set(socket, (this.pending.get(socket) ?? 1) - 1));
    if (waiting > MAX_PIPELINED) {
      // A device that sends request after request without reading the answers would have them
      // all queued in memory: past a few it is cut off.
      this.note(
        socket.remoteAddress ?? 'unknown',
        'pipeline-limit',
        `more than ${MAX_PIPELINED} requests sent on one connection without reading the answers; connection closed`,
      );
      socket.destroy();
      return;
    }
    void this.api.handle(req, res);
  }

  /** Malformed HTTP, oversized headers, a time-out: answered as Node does, and recorded. */
  private onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
    const remoteAddress = socket.remoteAddress ?? 'unknown';
    // A device that closes its connection mid-request is no protocol error.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    this.note(remoteAddress, 'bad-http', `${error.code ?? 'error'}: ${error.message}`);
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }

  private onDrop(remoteAddress: string | undefined): void {
    this.dropped++;
    const now = Date.now();
    if (now - this.lastDropNote < DROP_NOTE_INTERVAL_MS) return;
    this.lastDropNote = now;
    const count = this.dropped;
    this.dropped = 0;
    this.note(
      remoteAddress ?? 'unknown',
      'connection-limit',
      `${count} connection(s) closed at once: the HTTP device API holds its maximum of ${this.options.maxConnections ?? 16_384}`,
    );
  }

  private note(remoteAddress: string, kind: string, message: string): void {
    guarded('recording an HTTP device API error', () =>
      recordRefusal(this.ctx, { device: undefined, remoteAddress }, kind, message),
    )();
  }
}
