import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

import { CloudNetworkError } from './cloud-errors';

/** A request body that can be produced again for a retry (an upload re-reads its file). */
export interface RequestBody {
  contentType: string;
  length: number;
  open(): Readable | Buffer;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** No byte in either direction for this long: the connection is given up. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 8 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 8 }),
};

/**
 * Sends one request and resolves with the response once its headers arrive. Every failure to
 * get an answer (refused, reset, idle timeout, abort) is a CloudNetworkError.
 */
export function sendRequest(spec: RequestSpec): Promise<IncomingMessage> {
  const protocol = spec.url.protocol;
  if (protocol !== 'http:' && protocol !== 'https:')
    return Promise.reject(new CloudNetworkError(`Unsupported URL scheme ${protocol}`, 'EPROTO'));
  const transport = protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', ...spec.headers };
    if (spec.body) {
      headers['Content-Type'] = spec.body.contentType;
      headers['Content-Length'] = String(spec.body.length);
    }
    const req = transport.request(spec.url, {
      method: spec.method,
      headers,
      agent: agents[protocol],
      signal: spec.signal,
    });
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(toNetworkError(error, spec));
    };
    req.setTimeout(spec.idleTimeoutMs, () =>
      fail(
        Object.assign(new Error(`no answer within ${spec.idleTimeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    req.on('error', fail);
    req.on('response', (res) => {
      if (settled) return void res.resume();
      settled = true;
      resolve(res);
    });
    if (!spec.body) return void req.end();
    const body = spec.body.open();
    if (Buffer.isBuffer(body)) return void req.end(body);
    body.on('error', fail);
    body.pipe(req);
  });
}

/** Reads a response body whole (JSON answers); a cut connection is a CloudNetworkError. */
export function readBody(
  res: IncomingMessage,
  maxBytes: number,
  idleTimeoutMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(
      () => res.destroy(Object.assign(new Error('body timed out'), { code: 'ETIMEDOUT' })),
      idleTimeoutMs,
    );
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy(new Error(`answer larger than ${maxBytes} bytes`));
        return;
      }
      timer.refresh();
      chunks.push(chunk);
    });
    res.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    res.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new CloudNetworkError(
          `The answer was cut off: ${error.message}`,
          (error as NodeJS.ErrnoException).code,
          { cause: error },
        ),
      );
    });
    res.on('aborted', () => {
      clearTimeout(timer);
      reject(new CloudNetworkError('The answer was cut off', 'ECONNRESET'));
    });
  });
}

function toNetworkError(error: unknown, spec: RequestSpec): CloudNetworkError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new CloudNetworkError(
    `${spec.method} ${spec.url.origin}${spec.url.pathname} failed: ${code ?? message}`,
    code,
    { cause: error },
  );
}
