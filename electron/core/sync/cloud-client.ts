import type { IncomingMessage } from 'node:http';

import type { z } from 'zod';

import {
  backoffDelay,
  type BackoffOptions,
  DEFAULT_BACKOFF,
  type Sleep,
  sleep as realSleep,
} from './backoff';
import {
  CloudHttpError,
  CloudNetworkError,
  isTransient,
  parseRetryAfter,
  SignInRequiredError,
} from './cloud-errors';
import {
  CloudCredentials,
  CloudDevice,
  CloudPackageInfo,
  CloudProfile,
  ErrorBody,
  type Page,
  pageOf,
  Timeseries,
  Tokens,
} from './cloud-types';
import { readBody, type RequestBody, sendRequest } from './http-request';

/** Holds the session's tokens; the sync service persists them in its SecretStore. */
export interface TokenHolder {
  get(): Tokens | null;
  /** New tokens from a refresh. */
  set(tokens: Tokens): Promise<void>;
  /** The refresh token was refused: forget the session. */
  invalidate(): Promise<void>;
}

export interface RetryPolicy {
  /** Tries per request on network errors, 5xx and 429 (the first one included). */
  maxAttempts: number;
  backoff: BackoffOptions;
  /** A Retry-After longer than this is not waited for here: the round ends and resumes later. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  backoff: DEFAULT_BACKOFF,
  maxRetryAfterMs: 120_000,
};

export interface CloudClientOptions {
  baseUrl: string;
  tokens?: TokenHolder;
  idleTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  random?: () => number;
  signal?: AbortSignal;
}

/** What the sync did on the wire, for the sync log and the fault-injection figures. */
export interface ClientCounters {
  requests: number;
  retries: number;
  networkErrors: number;
  serverErrors: number;
  rateLimited: number;
  refreshes: number;
}

interface Call<T> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  body?: RequestBody;
  auth?: boolean;
  schema?: z.ZodType<T>;
  headers?: Record<string, string>;
  /** Statuses besides 2xx handed to onSuccess instead of thrown (a download's 416). */
  passStatuses?: readonly number[];
}

const MAX_JSON_BYTES = 64 * 1024 * 1024;
const NO_RETRY: Partial<RetryPolicy> = { maxAttempts: 1 };

/** ThingsBoard's REST API (docs/cloud-api.md) with token refresh and retries with backoff. */
export class CloudClient {
  readonly baseUrl: string;
  readonly counters: ClientCounters = {
    requests: 0,
    retries: 0,
    networkErrors: 0,
    serverErrors: 0,
    rateLimited: 0,
    refreshes: 0,
  };
  private readonly retry: RetryPolicy;
  private readonly idleTimeoutMs: number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: CloudClientOptions) {
    this.baseUrl = normalizeCloudUrl(options.baseUrl);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  // ---- session ----

  login(username: string, password: string): Promise<Tokens> {
    return this.call({
      method: 'POST',
      path: '/api/auth/login',
      json: { username, password },
      auth: false,
      schema: Tokens,
    });
  }

  /**
   * Reachability, not the OS's idea of it: any answer below 500 (a 401 too) means the cloud is
   * there. One attempt, no refresh; throws CloudNetworkError or CloudHttpError (5xx).
   */
  async probe(): Promise<void> {
    const res = await this.send({ method: 'GET', path: '/api/auth/user', auth: false }, true);
    await readBody(res, MAX_JSON_BYTES, this.idleTimeoutMs).catch(() => undefined);
    if ((res.statusCode ?? 0) >= 500)
      throw new CloudHttpError(
        res.statusCode ?? 500,
        undefined,
        'The cloud answers with server errors',
      );
  }

  // ---- device profiles ----

  profilesPage(page: number, pageSize: number, textSearch?: string): Promise<Page<CloudProfile>> {
    return this.call({
      method: 'GET',
      path: '/api/deviceProfiles',
      query: { pageSize, page, textSearch },
      schema: pageOf(CloudProfile),
    });
  }

  createProfile(name: string, description: string): Promise<CloudProfile> {
    return this.call({
      method: 'POST',
      path: '/api/deviceProfile',
      json: {
        name,
        description,
        type: 'DEFAULT',
        transportType: 'DEFAULT',
        provisionType: 'DISABLED',
        profileData: {
          configuration: { type: 'DEFAULT' },
          transportConfiguration: { type: 'DEFAULT' },
          provisionConfiguration: { type: 'DISABLED' },
        },
      },
      schema: CloudProfile,
    });
  }

  profile(id: string): Promise<CloudProfile> {
    return this.call({
      method: 'GET',
      path: `/api/deviceProfile/${enc(id)}`,
      schema: CloudProfile,
    });
  }

  /** Replaces the whole profile (its `version` checked: a stale one is a 409). */
  saveProfile(profile: Record<string, unknown>): Promise<CloudProfile> {
    return this.call({
      method: 'POST',
      path: '/api/deviceProfile',
      json: profile,
      schema: CloudProfile,
    });
  }

  // ---- devices ----

  devicesPage(page: number, pageSize: number): Promise<Page<CloudDevice>> {
    return this.call({
      method: 'GET',
      path: '/api/tenant/devices',
      query: { pageSize, page },
      schema: pageOf(CloudDevice),
    });
  }

  device(id: string): Promise<CloudDevice> {
    return this.call({ method: 'GET', path: `/api/device/${enc(id)}`, schema: CloudDevice });
  }

  /** The device with this name, or undefined (404). */
  async deviceByName(name: string): Promise<CloudDevice | undefined> {
    try {
      return await this.call({
        method: 'GET',
        path: '/api/tenant/devices',
        query: { deviceName: name },
        schema: CloudDevice,
      });
    } catch (error) {
      if (error instanceof CloudHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  credentials(deviceId: string): Promise<CloudCredentials> {
    return this.call({
      method: 'GET',
      path: `/api/device/${enc(deviceId)}/credentials`,
      schema: CloudCredentials,
    });
  }

  /** Creates (no id) or replaces (id + version: 409 if stale) a device. */
  saveDevice(device: Record<string, unknown>, accessToken?: string): Promise<CloudDevice> {
    return this.call({
      method: 'POST',
      path: '/api/device',
      query: { accessToken },
      json: device,
      schema: CloudDevice,
    });
  }

  saveCredentials(credentials: Record<string, unknown>): Promise<CloudCredentials> {
    return this.call({
      method: 'POST',
      path: '/api/device/credentials',
      json: credentials,
      schema: CloudCredentials,
    });
  }

  // ---- OTA packages ----

  packagesPage(
    page: number,
    pageSize: number,
    textSearch?: string,
  ): Promise<Page<CloudPackageInfo>> {
    return this.call({
      method: 'GET',
      path: '/api/otaPackages',
      query: { pageSize, page, textSearch },
      schema: pageOf(CloudPackageInfo),
    });
  }

  packageInfo(id: string): Promise<CloudPackageInfo> {
    return this.call({
      method: 'GET',
      path: `/api/otaPackage/info/${enc(id)}`,
      schema: CloudPackageInfo,
    });
  }

  createPackage(info: Record<string, unknown>): Promise<CloudPackageInfo> {
    return this.call({
      method: 'POST',
      path: '/api/otaPackage',
      json: info,
      schema: CloudPackageInfo,
    });
  }

  uploadPackage(
    id: string,
    checksumAlgorithm: string,
    checksum: string,
    body: RequestBody,
  ): Promise<CloudPackageInfo> {
    return this.call({
      method: 'POST',
      path: `/api/otaPackage/${enc(id)}`,
      query: { checksumAlgorithm, checksum },
      body,
      schema: CloudPackageInfo,
    });
  }

  async deletePackage(id: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/otaPackage/${enc(id)}` });
  }

  /**
   * The binary as a stream; the caller hashes it while writing it to disk. With `resume` it asks
   * for the bytes from `from` on (Range; If-Range too when the cloud gave a validator). The
   * answer is then 206 (the rest), 200 (the whole file: the range was ignored) or 416 (nothing to
   * resume from), for the caller to decide; a 416 is not thrown because its body is not an error
   * to read: Spring still writes the whole file into it.
   */
  download(id: string, resume?: { from: number; validator?: string }): Promise<IncomingMessage> {
    const headers: Record<string, string> = {};
    if (resume) {
      headers.Range = `bytes=${resume.from}-`;
      if (resume.validator) headers['If-Range'] = resume.validator;
    }
    return this.withRetries(
      {
        method: 'GET',
        path: `/api/otaPackage/${enc(id)}/download`,
        headers,
        passStatuses: resume ? [416] : [],
      },
      async (res) => {
        // A link that dies without a reset would leave the body waiting forever: no byte for
        // the idle time cuts it (and a resumable download goes on from there next time).
        res.setTimeout(this.idleTimeoutMs, () =>
          res.destroy(
            Object.assign(new Error(`no byte for ${this.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' }),
          ),
        );
        return res;
      },
    );
  }

  // ---- telemetry ----

  latestTimeseries(deviceId: string, keys: readonly string[]): Promise<Timeseries> {
    return this.call({
      method: 'GET',
      path: `/api/plugins/telemetry/DEVICE/${enc(deviceId)}/values/timeseries`,
      query: { keys: keys.join(',') },
      schema: Timeseries,
    });
  }

  /** The device HTTP API: authenticated by the device's token in the path, not by the session. */
  async postTelemetry(
    accessToken: string,
    entries: readonly { ts: number; values: Record<string, unknown> }[],
  ): Promise<void> {
    await this.call({
      method: 'POST',
      path: `/api/v1/${enc(accessToken)}/telemetry`,
      json: entries,
      auth: false,
    });
  }

  // ---- plumbing ----

  private call<T>(call: Call<T>): Promise<T> {
    return this.withRetries(call, async (res) => {
      const raw = await readBody(res, MAX_JSON_BYTES, this.idleTimeoutMs);
      if (!call.schema) return undefined as T;
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new CloudHttpError(
          res.statusCode ?? 0,
          undefined,
          `The cloud answered ${call.method} ${call.path} with something that is not JSON`,
        );
      }
      const parsed = call.schema.safeParse(json);
      if (!parsed.success)
        throw new CloudHttpError(
          res.statusCode ?? 0,
          undefined,
          `Unexpected answer to ${call.method} ${call.path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        );
      return parsed.data;
    });
  }

  /**
   * One request with the policy: 401 → one refresh and again; network errors, 5xx and 429 →
   * again after a backoff with jitter (or Retry-After), up to maxAttempts; others thrown.
   */
  private async withRetries<T>(
    call: Call<unknown>,
    onSuccess: (res: IncomingMessage) => Promise<T>,
  ): Promise<T> {
    const auth = call.auth ?? true;
    let refreshed = false;
    for (let attempt = 0; ;) {
      try {
        const res = await this.send(call, auth);
        const status = res.statusCode ?? 0;
        if ((status >= 200 && status < 300) || call.passStatuses?.includes(status))
          return await onSuccess(res);
        const error = await this.errorOf(res, call);
        if (status === 401 && auth) {
          if (refreshed) {
            await this.options.tokens?.invalidate();
            throw new SignInRequiredError(
              `The cloud refused the session (${error.message}): sign in again`,
            );
          }
          await this.refreshTokens();
          refreshed = true;
          continue;
        }
        throw error;
      } catch (error) {
        this.count(error);
        attempt += 1;
        if (
          !isTransient(error) ||
          attempt >= this.retry.maxAttempts ||
          this.options.signal?.aborted
        )
          throw error;
        const asked = error instanceof CloudHttpError ? error.retryAfterMs : undefined;
        if (asked !== undefined && asked > this.retry.maxRetryAfterMs) throw error;
        this.counters.retries += 1;
        await this.sleep(
          asked ?? backoffDelay(attempt - 1, this.retry.backoff, this.random),
          this.options.signal,
        );
      }
    }
  }

  private send(call: Call<unknown>, auth: boolean): Promise<IncomingMessage> {
    const url = new URL(this.baseUrl + call.path);
    for (const [name, value] of Object.entries(call.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { ...call.headers };
    if (auth) {
      const tokens = this.options.tokens?.get();
      if (!tokens) return Promise.reject(new SignInRequiredError('Not signed in to the cloud'));
      headers['X-Authorization'] = `Bearer ${tokens.token}`;
    }
    let body = call.body;
    if (call.json !== undefined) {
      const data = Buffer.from(JSON.stringify(call.json));
      body = { contentType: 'application/json', length: data.length, open: () => data };
    }
    this.counters.requests += 1;
    return sendRequest({
      method: call.method,
      url,
      headers,
      idleTimeoutMs: this.idleTimeoutMs,
      ...(body ? { body } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
  }

  private async errorOf(res: IncomingMessage, call: Call<unknown>): Promise<CloudHttpError> {
    const status = res.statusCode ?? 0;
    const raw = await readBody(res, 1024 * 1024, this.idleTimeoutMs);
    let message = `${call.method} ${call.path}: HTTP ${status}`;
    let errorCode: number | undefined;
    try {
      const body = ErrorBody.safeParse(JSON.parse(raw.toString('utf8')));
      if (body.success) {
        message = body.data.message ?? message;
        errorCode = body.data.errorCode;
      }
    } catch {
      // Not TB's JSON (a proxy's page): the status says enough.
    }
    const retryAfter = res.headers['retry-after'];
    return new CloudHttpError(
      status,
      errorCode,
      message,
      parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
    );
  }

  /** One refresh at a time: requests that fail together wait for the same new token. */
  private refreshTokens(): Promise<void> {
    this.refreshing ??= (async () => {
      const holder = this.options.tokens;
      const current = holder?.get();
      if (!holder || !current) throw new SignInRequiredError('Not signed in to the cloud');
      let tokens: Tokens;
      try {
        tokens = await this.withRetries(
          {
            method: 'POST',
            path: '/api/auth/token',
            json: { refreshToken: current.refreshToken },
            auth: false,
            schema: Tokens,
          },
          async (res) =>
            Tokens.parse(
              JSON.parse(
                (await readBody(res, MAX_JSON_BYTES, this.idleTimeoutMs)).toString('utf8'),
              ),
            ),
        );
      } catch (error) {
        if (error instanceof CloudHttpError && (error.status === 401 || error.status === 403)) {
          await holder.invalidate();
          throw new SignInRequiredError('The cloud session has expired: sign in again');
        }
        throw error;
      }
      this.counters.refreshes += 1;
      await holder.set(tokens);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private count(error: unknown): void {
    if (error instanceof CloudNetworkError) this.counters.networkErrors += 1;
    else if (error instanceof CloudHttpError && error.status === 429)
      this.counters.rateLimited += 1;
    else if (error instanceof CloudHttpError && error.status >= 500)
      this.counters.serverErrors += 1;
  }

  /** A client for one-off requests that must not be retried (sign-in with a typed password). */
  static once(baseUrl: string, options: Omit<CloudClientOptions, 'baseUrl'> = {}): CloudClient {
    return new CloudClient({ ...options, baseUrl, retry: { ...options.retry, ...NO_RETRY } });
  }
}

/** "https://cloud.example.com/" and "https://cloud.example.com" are the same cloud. */
export function normalizeCloudUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`"${raw}" is not a URL (expected e.g. https://cloud.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`The cloud URL must start with https:// or http:// (got ${url.protocol})`);
  return url.href.replace(/\/+$/, '');
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
