import { randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseTelemetry } from '../../electron/core/device-api/telemetry-payload';
import { CloudError, TB_ERROR } from './cloud-error';
import {
  credentialsJson,
  deviceJson,
  packageInfoJson,
  page,
  profileJson,
  telemetryValue,
} from './cloud-json';
import { CloudState, type DeviceInput, type PackageInput, TENANT_ID } from './cloud-state';
import { type DrawnFault, type FaultKind, FaultPlan } from './faults';
import { type JwtClaims, signJwt, verifyJwt } from './jwt';
import { boundaryOf, parseMultipart } from './multipart';
import { answerRange } from './range';

/**
 * A ThingsBoard-compatible cloud for the sync tests and for trying sync by hand: the REST subset
 * of docs/cloud-api.md with the same paths, JSON shapes, paging, error bodies and codes, and fault
 * injection. Listens on 127.0.0.1 only.
 */
export interface CloudEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  users?: readonly { username: string; password: string }[];
  /** Lifetime of an access token (default 15 min); short values exercise refresh. */
  tokenTtlMs?: number;
  refreshTtlMs?: number;
  /** A stock server refuses uploads over 16 MiB (the default). */
  maxUploadBytes?: number;
  /** Retry-After (seconds) sent with injected 429s (default 1). */
  retryAfterSeconds?: number;
  /** How long an injected 'delay' holds a request (default 200 ms). */
  delayMs?: number;
  /** Downloads ignore Range and are always sent whole (default false: Spring's Range support). */
  ignoreRange?: boolean;
  /** Not TB: downloads carry a strong ETag and honour If-Range (as a caching proxy may). */
  etag?: boolean;
  now?: () => number;
}

/** One answer to `GET /api/otaPackage/{id}/download`, as the emulator sent it. */
export interface DownloadRecord {
  /** The request's Range header, or null. */
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Body bytes written to the connection (fewer than the body when a fault cut it). */
  bytesSent: number;
}

export interface EmulatorStats {
  requests: number;
  byStatus: Record<string, number>;
  logins: number;
  refreshes: number;
  /** 401s with errorCode 11 answered to expired access tokens. */
  expiredTokenRejections: number;
  faults: Record<FaultKind, number>;
  faultsInjected: number;
  /** Every download answered, in order: what a resume test asserts on (not timing). */
  downloads: DownloadRecord[];
}

export interface CloudEmulator {
  readonly url: string;
  readonly state: CloudState;
  readonly faults: FaultPlan;
  /** Downloads ignore Range (a server or proxy without range support); can change at any time. */
  ignoreRange: boolean;
  stats(): EmulatorStats;
  /** Refresh tokens issued so far stop working: the next refresh asks for a sign-in. */
  revokeRefreshTokens(): void;
  /** The site loses its uplink: connections are refused (the data stays). */
  goOffline(): Promise<void>;
  /** Back on the same address. */
  goOnline(): Promise<void>;
  /** Called as each request arrives, before any fault (tests use it to act mid-push). */
  onRequest: ((request: { method: string; path: string }) => void) | undefined;
  close(): Promise<void>;
}

const DOWNLOAD_PATH = '/api/otaPackage/([^/]+)/download';

export const DEFAULT_USERS = [{ username: 'tenant@thingsboard.org', password: 'tenant' }] as const;
export const STOCK_UPLOAD_LIMIT = 16 * 1024 * 1024;
const JSON_LIMIT = 1024 * 1024;
/** Past this a refused upload is not drained any more: the connection is cut. */
const DRAIN_LIMIT = 256 * 1024 * 1024;

interface EmuRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  params: string[];
  claims: JwtClaims | undefined;
}

interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  upload?: boolean;
  handle: (req: EmuRequest) => EmuResponse;
}

export async function startCloudEmulator(
  options: CloudEmulatorOptions = {},
): Promise<CloudEmulator> {
  const now = options.now ?? Date.now;
  const state = new CloudState(now);
  const faults = new FaultPlan();
  const users = options.users ?? DEFAULT_USERS;
  const tokenTtlMs = options.tokenTtlMs ?? 15 * 60_000;
  const refreshTtlMs = options.refreshTtlMs ?? 7 * 24 * 3600_000;
  const maxUploadBytes = options.maxUploadBytes ?? STOCK_UPLOAD_LIMIT;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const delayMs = options.delayMs ?? 200;
  const etag = options.etag ?? false;
  const secret = randomBytes(32);
  const downloads: DownloadRecord[] = [];
  let refreshGeneration = 0;
  const stats = {
    requests: 0,
    byStatus: {} as Record<string, number>,
    logins: 0,
    refreshes: 0,
    expiredTokenRejections: 0,
  };

  const issueTokens = (username: string) => {
    const t = now();
    const base = {
      sub: username,
      iat: Math.floor(t / 1000),
      userId: userIdOf(username),
      tenantId: TENANT_ID,
    };
    const token = signJwt(
      {
        ...base,
        scopes: ['TENANT_ADMIN'],
        exp: Math.ceil((t + tokenTtlMs) / 1000),
        expMs: t + tokenTtlMs,
        jti: randomUUID(),
      },
      secret,
    );
    const refreshToken = signJwt(
      {
        ...base,
        scopes: ['REFRESH_TOKEN'],
        exp: Math.ceil((t + refreshTtlMs) / 1000),
        expMs: t + refreshTtlMs,
        jti: randomUUID(),
        generation: refreshGeneration,
      },
      secret,
    );
    return { token, refreshToken };
  };

  const routes: Route[] = [
    route('POST', '/api/auth/login', false, (req) => {
      const body = jsonBody(req) as { username?: unknown; password?: unknown };
      const user = users.find((u) => u.username === body.username && u.password === body.password);
      if (!user) throw new CloudError(401, TB_ERROR.AUTHENTICATION, 'Invalid username or password');
      stats.logins += 1;
      return ok(issueTokens(user.username));
    }),
    route('POST', '/api/auth/token', false, (req) => {
      const body = jsonBody(req) as { refreshToken?: unknown };
      if (typeof body.refreshToken !== 'string')
        throw new CloudError(401, TB_ERROR.AUTHENTICATION, 'Refresh token is not provided');
      const check = verifyJwt(body.refreshToken, secret, now());
      if (!check.ok)
        throw check.reason === 'expired'
          ? new CloudError(401, TB_ERROR.JWT_TOKEN_EXPIRED, 'Token has expired')
          : new CloudError(401, TB_ERROR.AUTHENTICATION, 'Invalid JWT token');
      if (
        !check.claims.scopes.includes('REFRESH_TOKEN') ||
        check.claims.generation !== refreshGeneration
      )
        throw new CloudError(401, TB_ERROR.AUTHENTICATION, 'Invalid refresh token');
      stats.refreshes += 1;
      return ok(issueTokens(check.claims.sub));
    }),
    route('GET', '/api/auth/user', true, (req) =>
      ok({
        id: { entityType: 'USER', id: userIdOf(req.claims?.sub ?? '') },
        tenantId: { entityType: 'TENANT', id: TENANT_ID },
        email: req.claims?.sub,
        authority: 'TENANT_ADMIN',
      }),
    ),

    route('GET', '/api/deviceProfiles', true, (req) => {
      const items = search([...state.profiles.values()], req, (p) => p.name);
      return ok(paged(items.map(profileJson), req));
    }),
    route('GET', '/api/deviceProfile/([^/]+)', true, (req) =>
      ok(profileJson(state.profile(param(req)))),
    ),
    route('POST', '/api/deviceProfile', true, (req) => {
      const body = jsonBody(req) as Record<string, unknown>;
      const id = idOf(body.id);
      if (id)
        return ok(
          profileJson(
            state.saveProfile({
              id,
              name: body.name,
              description: body.description,
              firmwareId: idOf(body.firmwareId) ?? null,
              softwareId: idOf(body.softwareId) ?? null,
              version: typeof body.version === 'number' ? body.version : null,
            }),
          ),
        );
      return ok(
        profileJson(
          state.createProfile({
            name: typeof body.name === 'string' ? body.name : '',
            description: typeof body.description === 'string' ? body.description : '',
          }),
        ),
      );
    }),
    route('DELETE', '/api/deviceProfile/([^/]+)', true, (req) => {
      state.deleteProfile(param(req));
      return ok(undefined);
    }),

    route('GET', '/api/tenant/devices', true, (req) => {
      const byName = req.query.get('deviceName');
      if (byName !== null) {
        const found = state.deviceByName(byName);
        if (!found) throw CloudError.notFound();
        return ok(deviceJson(state, found));
      }
      const items = search([...state.devices.values()], req, (d) => d.name);
      return ok(
        paged(
          items.map((d) => deviceJson(state, d)),
          req,
        ),
      );
    }),
    route('GET', '/api/device/([^/]+)', true, (req) =>
      ok(deviceJson(state, state.device(param(req)))),
    ),
    route('GET', '/api/device/([^/]+)/credentials', true, (req) =>
      ok(credentialsJson(state.credentialsOf(param(req)))),
    ),
    route('POST', '/api/device', true, (req) => {
      const body = jsonBody(req) as Record<string, unknown>;
      const input: DeviceInput = {
        name: body.name,
        label: body.label,
        type: body.type,
        additionalInfo: body.additionalInfo,
        version: typeof body.version === 'number' ? body.version : null,
      };
      const id = idOf(body.id);
      if (id) input.id = id;
      const profileId = idOf(body.deviceProfileId);
      if (profileId) input.deviceProfileId = profileId;
      input.firmwareId = idOf(body.firmwareId) ?? null;
      input.softwareId = idOf(body.softwareId) ?? null;
      const token = req.query.get('accessToken') ?? undefined;
      return ok(deviceJson(state, state.saveDevice(input, token)));
    }),
    route('POST', '/api/device/credentials', true, (req) => {
      const body = jsonBody(req) as Record<string, unknown>;
      const deviceId = idOf(body.deviceId);
      return ok(
        credentialsJson(
          state.saveCredentials({
            ...(deviceId ? { deviceId } : {}),
            credentialsId: body.credentialsId,
            credentialsType: body.credentialsType,
          }),
        ),
      );
    }),
    route('DELETE', '/api/device/([^/]+)', true, (req) => {
      state.deleteDevice(param(req));
      return ok(undefined);
    }),

    route('POST', '/api/otaPackage', true, (req) => {
      const body = jsonBody(req) as Record<string, unknown>;
      if (body.id) throw CloudError.badRequest('The emulator does not edit OTA package infos');
      const input: PackageInput = {
        title: body.title,
        version: body.version,
        tag: body.tag,
        type: body.type,
        additionalInfo: body.additionalInfo,
      };
      const profileId = idOf(body.deviceProfileId);
      if (profileId) input.deviceProfileId = profileId;
      return ok(packageInfoJson(state.createPackage(input)));
    }),
    {
      method: 'POST',
      pattern: /^\/api\/otaPackage\/([^/]+)$/,
      auth: true,
      upload: true,
      handle: (req) => {
        const boundary = boundaryOf(req.headers['content-type']);
        if (!boundary) throw CloudError.badRequest('Current request is not a multipart request');
        const parts = parseMultipart(req.body, boundary);
        const file = parts?.find((p) => p.name === 'file');
        if (!file) throw CloudError.badRequest("Required request part 'file' is not present");
        if (file.data.length > maxUploadBytes) throw tooLarge();
        const saved = state.uploadPackageData(
          param(req),
          {
            data: file.data,
            fileName: file.fileName ?? 'file',
            contentType: file.contentType ?? 'application/octet-stream',
          },
          req.query.get('checksumAlgorithm') ?? undefined,
          req.query.get('checksum') ?? undefined,
        );
        return ok(packageInfoJson(saved));
      },
    },
    route('GET', '/api/otaPackages', true, (req) => {
      const items = search([...state.packages.values()], req, (p) => p.title);
      return ok(paged(items.map(packageInfoJson), req));
    }),
    route('GET', '/api/otaPackage/info/([^/]+)', true, (req) =>
      ok(packageInfoJson(state.package(param(req)))),
    ),
    route('GET', DOWNLOAD_PATH, true, (req) => {
      const pkg = state.package(param(req));
      if (!pkg.data) throw CloudError.notFound();
      const answer = answerRange(pkg.data, req.headers, {
        ignoreRange: emulator.ignoreRange,
        etag,
      });
      return {
        status: answer.status,
        headers: {
          'Content-Type': pkg.contentType ?? 'application/octet-stream',
          'Content-Disposition': `attachment;filename=${pkg.fileName ?? 'file'}`,
          'x-filename': pkg.fileName ?? 'file',
          ...answer.headers,
        },
        body: answer.body,
      };
    }),
    route('DELETE', '/api/otaPackage/([^/]+)', true, (req) => {
      state.deletePackage(param(req));
      return ok(undefined);
    }),

    route('GET', '/api/plugins/telemetry/DEVICE/([^/]+)/values/timeseries', true, (req) => {
      const deviceId = param(req);
      state.device(deviceId);
      const points = state.points(deviceId);
      const keys = req.query
        .get('keys')
        ?.split(',')
        .map((k) => k.trim())
        .filter(Boolean) ?? [...new Set(points.map((p) => p.key))];
      const startTs = numberParam(req, 'startTs');
      const endTs = numberParam(req, 'endTs');
      const limit = numberParam(req, 'limit') ?? 100;
      const ascending = req.query.get('orderBy') === 'ASC';
      const result: Record<string, { ts: number; value: string }[]> = {};
      for (const key of keys) {
        let series = points.filter((p) => p.key === key).sort((a, b) => b.ts - a.ts);
        if (startTs === undefined && endTs === undefined) series = series.slice(0, 1);
        else {
          series = series.filter((p) => p.ts >= (startTs ?? 0) && p.ts < (endTs ?? Infinity));
          if (ascending) series.reverse();
          series = series.slice(0, limit);
        }
        if (series.length > 0)
          result[key] = series.map((p) => ({ ts: p.ts, value: telemetryValue(p.value) }));
      }
      return ok(result);
    }),
    route('POST', '/api/v1/([^/]+)/telemetry', false, (req) => {
      const device = state.deviceByToken(decodeURIComponent(param(req)));
      // The device HTTP API answers an unknown token with a bare 401.
      if (!device) return { status: 401 };
      let json: unknown;
      try {
        json = JSON.parse(req.body.toString('utf8'));
      } catch {
        throw CloudError.badRequest('Invalid JSON');
      }
      const entries = parseTelemetry(json, now());
      if (!entries) throw CloudError.badRequest('Invalid telemetry payload');
      for (const entry of entries)
        state.writeTelemetry(device.id, entry.ts, entry.values, 'device');
      return ok(undefined);
    }),
  ];

  function tooLarge(): CloudError {
    return new CloudError(413, TB_ERROR.BAD_REQUEST_PARAMS, 'Maximum upload size exceeded');
  }

  function authenticate(req: IncomingMessage): JwtClaims {
    const header = req.headers['x-authorization'];
    const raw = Array.isArray(header) ? header[0] : header;
    const token = raw?.startsWith('Bearer ') ? raw.slice(7) : undefined;
    if (!token) throw new CloudError(401, TB_ERROR.AUTHENTICATION, 'Authentication failed');
    const check = verifyJwt(token, secret, now());
    if (!check.ok) {
      if (check.reason === 'expired') {
        stats.expiredTokenRejections += 1;
        throw new CloudError(401, TB_ERROR.JWT_TOKEN_EXPIRED, 'Token has expired');
      }
      throw new CloudError(401, TB_ERROR.AUTHENTICATION, 'Invalid JWT token');
    }
    if (check.claims.scopes.includes('REFRESH_TOKEN'))
      throw new CloudError(401, TB_ERROR.AUTHENTICATION, 'Invalid JWT token');
    return check.claims;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    emulator.onRequest?.({ method, path: url.pathname });
    const drawn = faults.draw({ method, path: url.pathname });
    const fault = drawn?.kind;
    if (fault === 'drop-request') return void req.socket.destroy();
    if (fault === 'delay') await new Promise((r) => setTimeout(r, delayMs));
    const found = findRoute(routes, method, url.pathname);
    const limit = found?.route.upload ? maxUploadBytes + 64 * 1024 : JSON_LIMIT;
    const read = await readBody(req, limit, fault === 'drop-mid-upload');
    if (read === 'dropped') return;
    if (fault === 'error-500')
      return void send(
        res,
        {
          status: 500,
          body: new CloudError(500, TB_ERROR.GENERAL, 'Internal server error').body(now()),
        },
        undefined,
      );
    if (fault === 'error-429')
      return void send(
        res,
        {
          status: 429,
          headers: { 'Retry-After': String(retryAfter) },
          body: new CloudError(
            429,
            TB_ERROR.TOO_MANY_REQUESTS,
            'Too many requests for current tenant!',
          ).body(now()),
        },
        undefined,
      );
    let response: EmuResponse;
    try {
      if (!found) throw CloudError.notFound(`No handler for ${method} ${url.pathname}`);
      if (read === 'too-large')
        throw found.route.upload ? tooLarge() : CloudError.badRequest('Request body too large');
      const claims = found.route.auth ? authenticate(req) : undefined;
      response = found.route.handle({
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: read,
        params: found.params,
        claims,
      });
    } catch (error) {
      response =
        error instanceof CloudError
          ? { status: error.status, body: error.body(now()) }
          : { status: 500, body: new CloudError(500, TB_ERROR.GENERAL, String(error)).body(now()) };
    }
    // Processed, but the answer never arrives: the client cannot know what happened.
    if (fault === 'drop-response') return void req.socket.destroy();
    const sent = await send(res, response, drawn);
    if (method === 'GET' && new RegExp(`^${DOWNLOAD_PATH}$`).test(url.pathname))
      downloads.push({
        range: req.headers.range ?? null,
        ifRange: typeof req.headers['if-range'] === 'string' ? req.headers['if-range'] : null,
        status: response.status,
        bytesSent: sent,
      });
  }

  /** Writes the answer (or, with 'cut-mid-body', its start); resolves with the body bytes sent. */
  function send(
    res: ServerResponse,
    response: EmuResponse,
    fault: DrawnFault | undefined,
  ): Promise<number> {
    stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
    const headers: Record<string, string> = { ...response.headers };
    let payload: Buffer = Buffer.alloc(0);
    if (Buffer.isBuffer(response.body)) payload = response.body;
    else if (response.body !== undefined) {
      payload = Buffer.from(JSON.stringify(response.body));
      headers['Content-Type'] ??= 'application/json';
    }
    headers['Content-Length'] = String(payload.length);
    res.writeHead(response.status, headers);
    if (fault?.kind !== 'cut-mid-body') {
      res.end(payload);
      return Promise.resolve(payload.length);
    }
    const cutAt = Math.max(
      0,
      Math.min(fault.afterBytes ?? Math.floor(payload.length / 2), payload.length),
    );
    // Cut once the bytes are handed to the kernel: the client receives exactly cutAt of them.
    return new Promise((resolve) => {
      res.write(payload.subarray(0, cutAt), () => {
        res.socket?.destroy();
        resolve(cutAt);
      });
    });
  }

  const server = http.createServer((req, res) => {
    serve(req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const emulator: CloudEmulator = {
    url: `http://127.0.0.1:${port}`,
    state,
    faults,
    ignoreRange: options.ignoreRange ?? false,
    stats: () => ({
      ...stats,
      byStatus: { ...stats.byStatus },
      faults: { ...faults.injected },
      faultsInjected: faults.totalInjected(),
      downloads: downloads.map((d) => ({ ...d })),
    }),
    revokeRefreshTokens: () => {
      refreshGeneration += 1;
    },
    goOffline: stop,
    goOnline: listen,
    onRequest: undefined,
    close: stop,
  };
  return emulator;
}

function route(method: string, path: string, auth: boolean, handle: Route['handle']): Route {
  return { method, pattern: new RegExp(`^${path}$`), auth, handle };
}

function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } | undefined {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match) return { route: candidate, params: match.slice(1).map((p) => p ?? '') };
  }
  return undefined;
}

/**
 * Reads the whole body. Over `limit` it is drained and 'too-large' returned (so the client reads
 * the 413 instead of a reset); with `dropHalf` the connection is cut halfway through.
 */
function readBody(
  req: IncomingMessage,
  limit: number,
  dropHalf: boolean,
): Promise<Buffer | 'too-large' | 'dropped'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (dropHalf && !(declared > 0)) {
    req.socket.destroy();
    return Promise.resolve('dropped');
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (dropHalf && size >= declared / 2) {
        req.socket.destroy();
        resolve('dropped');
        return;
      }
      if (size > DRAIN_LIMIT) {
        req.socket.destroy();
        resolve('dropped');
        return;
      }
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', () => resolve('dropped'));
    req.on('close', () => {
      if (!req.complete) resolve('dropped');
    });
  });
}

function ok(body: unknown): EmuResponse {
  return { status: 200, body };
}

function jsonBody(req: EmuRequest): unknown {
  try {
    const value = JSON.parse(req.body.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch {
    throw CloudError.badRequest('Invalid request body');
  }
}

function param(req: EmuRequest): string {
  return req.params[0] ?? '';
}

function idOf(value: unknown): string | undefined {
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'string'
  )
    return (value as { id: string }).id;
  return undefined;
}

function numberParam(req: EmuRequest, name: string): number | undefined {
  const raw = req.query.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw CloudError.badRequest(`Invalid ${name}`);
  return n;
}

/** `pageSize` and `page` are required, as in ThingsBoard; textSearch filters, createdTime orders. */
function paged<T>(items: readonly T[], req: EmuRequest) {
  const pageSize = req.query.get('pageSize');
  const pageIndex = req.query.get('page');
  if (pageSize === null)
    throw CloudError.badRequest(
      "Required request parameter 'pageSize' for method parameter type int is not present",
    );
  if (pageIndex === null)
    throw CloudError.badRequest(
      "Required request parameter 'page' for method parameter type int is not present",
    );
  const size = Number(pageSize);
  const index = Number(pageIndex);
  if (!Number.isInteger(size) || size < 1)
    throw new CloudError(400, TB_ERROR.INVALID_ARGUMENTS, 'Incorrect page size');
  if (!Number.isInteger(index) || index < 0)
    throw new CloudError(400, TB_ERROR.INVALID_ARGUMENTS, 'Incorrect page');
  return page(items, size, index);
}

function search<T extends { createdTime: number; id: string }>(
  items: T[],
  req: EmuRequest,
  text: (item: T) => string,
): T[] {
  const needle = req.query.get('textSearch')?.toLowerCase();
  return items
    .filter((item) => !needle || text(item).toLowerCase().includes(needle))
    .sort((a, b) => a.createdTime - b.createdTime || a.id.localeCompare(b.id));
}

function userIdOf(username: string): string {
  const hex = Buffer.from(username).toString('hex').padEnd(12, '0').slice(0, 12);
  return `5a1e0000-0000-4000-8000-${hex}`;
}
