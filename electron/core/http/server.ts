import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ApiError } from '../../../shared/api/errors';
import { logBackgroundError } from '../guarded';
import {
  DEFAULT_BODY_IDLE_TIMEOUT_MS,
  DEFAULT_JSON_BODY_TIMEOUT_MS,
  limitBodyIdle,
} from './body-timeout';
import { CALL_PREFIX, handleCall } from './call-route';
import { attachEventsSocket, EVENTS_PATH } from './events-socket';
import type { HttpStation } from './http-station';
import { sendError } from './json-response';
import { hostForUrl, isLoopbackHost } from './loopback';
import { refuse, refuseAndClose } from './refuse';
import { RequestGuard } from './request-guard';
import { parseRequestUrl } from './request-url';
import { setSecurityHeaders } from './security-headers';
import { defaultStaticDir, serveStatic } from './static-files';
import { handleUpload, UPLOAD_PATH } from './upload-route';

export interface HttpServerOptions {
  station: HttpStation;
  /** Default 127.0.0.1. Anything but loopback requires `token`. */
  host?: string;
  /** 0 picks a free port (see the returned url). */
  port: number;
  /** The --http-token: accepted as `Authorization: Bearer <token>` (or `?token=` on the WebSocket). */
  token?: string;
  /** A request body silent this long closes its connection; default 30 s. */
  bodyIdleTimeoutMs?: number;
  /** A JSON call's whole body must arrive within this; default 60 s. */
  jsonBodyTimeoutMs?: number;
  /**
   * The per-start secret (station-secret.ts), required the same way on every API request, even
   * on loopback: other accounts on the computer can reach 127.0.0.1 too.
   */
  secret: string;
  /** The built renderer; default <app root>/dist/renderer. */
  staticDir?: string;
}

export interface HttpServerHandle {
  /** e.g. http://127.0.0.1:8090 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A station bound beyond this computer without a token would hand the site's devices to anyone on the network. */
export function assertSafeBinding(host: string, token: string | undefined): void {
  if (!isLoopbackHost(host) && !token) {
    throw new ApiError(
      'BAD_REQUEST',
      `Refusing to serve the HTTP API on ${host} without an access token: anyone on the network could use it. Give a token (field-ota station --http-token <secret>) or bind to 127.0.0.1.`,
    );
  }
}

/**
 * The headless station's HTTP + WebSocket transport of the application API, serving the built
 * renderer too so the very same UI runs in a browser.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const host = options.host ?? '127.0.0.1';
  assertSafeBinding(host, options.token);
  const staticDir = options.staticDir ?? defaultStaticDir();
  let port = options.port;
  const guard = new RequestGuard({
    host,
    port: () => port,
    secret: options.secret,
    ...(options.token ? { token: options.token } : {}),
  });

  const bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  const jsonBodyTimeoutMs = options.jsonBodyTimeoutMs ?? DEFAULT_JSON_BODY_TIMEOUT_MS;
  const server = createServer((req, res) => {
    limitBodyIdle(req, bodyIdleTimeoutMs);
    route(req, res).catch((error: unknown) => sendError(req, res, error));
  });
  // Slow-loris protection without cutting long uploads: headers must arrive quickly, bodies may take their time.
  server.headersTimeout = 20_000;
  server.requestTimeout = 0;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const url = parseRequestUrl(req);
    if (url === null)
      return refuse(req, res, new ApiError('BAD_REQUEST', 'Malformed request URL.'));
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const refusal = isApi ? guard.checkApi(req) : guard.checkHost(req);
    if (refusal) return refuseAndClose(req, res, refusal.error, refusal.status);
    if (url.pathname.startsWith(CALL_PREFIX))
      return handleCall(
        req,
        res,
        url.pathname.slice(CALL_PREFIX.length),
        options.station,
        jsonBodyTimeoutMs,
      );
    if (url.pathname === UPLOAD_PATH) return handleUpload(req, res, url, options.station);
    if (url.pathname === EVENTS_PATH)
      return refuse(
        req,
        res,
        new ApiError('BAD_REQUEST', 'This endpoint is a WebSocket (send an Upgrade request).'),
        426,
      );
    if (isApi)
      return refuse(req, res, new ApiError('NOT_FOUND', `No API endpoint at ${url.pathname}.`));
    return serveStatic(req, res, url, staticDir);
  }

  const eventsSocket = attachEventsSocket(server, options.station.events, guard);

  await listen(server, host, options.port);
  // After listening, errors are accept failures (EMFILE under a flood): the next accept may work.
  server.on('error', (error) => logBackgroundError('accepting an HTTP connection', error));
  port = (server.address() as AddressInfo).port;
  const url = `http://${hostForUrl(host)}:${port}`;
  options.station.setHttpUrl(url);

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        eventsSocket.close();
        server.close(() => resolve());
        // Keep-alive connections would otherwise hold close() open until they time out.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return closing;
    },
  };
}

function listen(
  server: ReturnType<typeof createServer>,
  host: string,
  port: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, host, port));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${hostForUrl(host)}:${port}`;
  const messages: Record<string, string> = {
    EADDRINUSE: `HTTP port ${where} is already in use (another station?). Choose another port.`,
    EACCES: `Not allowed to listen on HTTP port ${where} (ports below 1024 need privileges).`,
    EADDRNOTAVAIL: `HTTP address ${host} is not an address of this computer.`,
  };
  const message = messages[error.code ?? ''];
  return message
    ? Object.assign(new Error(message, { cause: error }), { code: error.code })
    : error;
}
