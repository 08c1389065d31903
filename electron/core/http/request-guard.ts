import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { ApiError } from '../../../shared/api/errors';
import { hostForUrl, isLoopbackHost } from './loopback';

export interface GuardOptions {
  /** The address the server is bound to. */
  host: string;
  /** The port actually listened on (known only after listen when 0 was asked). */
  port: () => number;
  /** The --http-token, for serving beyond this computer. */
  token?: string;
  /** The per-start secret kept in the data folder (station-secret.ts): accepted wherever the token is. */
  secret: string;
}

/** A refusal: the HTTP status to answer with and the error to put in the body. */
export interface Refusal {
  status: number;
  error: ApiError;
}

/**
 * Decides whether a request may reach the API. On loopback, a web page in the technician's
 * browser is a threat: the Host check defeats DNS rebinding and the Origin check defeats
 * cross-site requests. Other accounts on the same computer are one too, and anyone on the
 * network off loopback: every API request carries the per-start secret or the --http-token.
 */
export class RequestGuard {
  private readonly loopback: boolean;
  private readonly digests: Buffer[];

  constructor(private readonly options: GuardOptions) {
    this.loopback = isLoopbackHost(options.host);
    this.digests = [options.secret, options.token ?? ''].filter((t) => t !== '').map(digest);
  }

  /** Checks for every request (static files included): the Host header. */
  checkHost(req: IncomingMessage): Refusal | null {
    if (!this.loopback) return null;
    const host = (req.headers.host ?? '').toLowerCase();
    if (this.allowedHosts().has(host)) return null;
    return forbidden(
      `Host "${req.headers.host ?? ''}" is not this station; open it as http://127.0.0.1:${this.options.port()}.`,
    );
  }

  /** Checks for API calls and uploads: Host, Origin and the token as an Authorization header. */
  checkApi(req: IncomingMessage): Refusal | null {
    return this.checkHost(req) ?? this.checkOrigin(req) ?? this.checkToken(req, null);
  }

  /** Checks for the event socket: a browser can't set headers on a WebSocket, so `?token=` is accepted too. */
  checkSocket(req: IncomingMessage, url: URL): Refusal | null {
    return this.checkHost(req) ?? this.checkOrigin(req) ?? this.checkToken(req, url);
  }

  private checkOrigin(req: IncomingMessage): Refusal | null {
    const origin = req.headers.origin;
    // Non-browser clients (the CLI, curl) send no Origin; browsers always do on POST and WebSocket.
    if (origin === undefined) return null;
    if (origin === `http://${(req.headers.host ?? '').toLowerCase()}`) return null;
    return forbidden(`Requests from origin "${origin}" are not allowed.`);
  }

  private checkToken(req: IncomingMessage, url: URL | null): Refusal | null {
    const given = bearerToken(req) ?? url?.searchParams.get('token') ?? null;
    if (given !== null) {
      const givenDigest = digest(given);
      // Every digest is compared, so the time taken says nothing about which one nearly matched.
      const matches = this.digests.map((d) => timingSafeEqual(givenDigest, d));
      if (matches.includes(true)) return null;
    }
    const how = this.options.token
      ? 'Authorization: Bearer <token>'
      : "the field-ota CLI reads it from the station's data folder (--data-dir), a browser gets it from the address the station printed (…/?token=…)";
    const message =
      given === null
        ? `This station requires an access token (${how}).`
        : `Wrong access token (${how}).`;
    return { status: 401, error: new ApiError('UNAUTHORIZED', message) };
  }

  private allowedHosts(): Set<string> {
    const port = this.options.port();
    const names = new Set([
      '127.0.0.1',
      'localhost',
      '[::1]',
      hostForUrl(this.options.host.toLowerCase()),
    ]);
    const hosts = new Set<string>();
    for (const name of names) {
      hosts.add(`${name}:${port}`);
      // Browsers leave the default port out of the Host header.
      if (port === 80) hosts.add(name);
    }
    return hosts;
  }
}

function bearerToken(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/** Comparing fixed-length digests keeps the comparison constant-time whatever the lengths. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function forbidden(message: string): Refusal {
  // The API has no FORBIDDEN code; UNAUTHORIZED is what a client can act on.
  return { status: 403, error: new ApiError('UNAUTHORIZED', message) };
}
