import { storageProblem } from '../storage-problem';
/**
 * What can go wrong talking to the cloud, sorted by what the sync does about it:
 * - network trouble and 5xx: back off with jitter and try again later, keeping order;
 * - 429: wait as long as the server asks (Retry-After), then go on;
 * - 401: refresh the token once; if that fails the technician must sign in again;
 * - everything else (400, 404, 409, 413) is about one item and handled by its pusher.
 */

/** No answer: refused, reset, timed out, or cut before the response ended. */
export class CloudNetworkError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CloudNetworkError';
  }
}

/** ThingsBoard's error body, {status, message, errorCode, timestamp}, or what stood in for it. */
export class CloudHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number | undefined,
    message: string,
    /** From Retry-After, for 429 and 503. */
    readonly retryAfterMs: number | undefined = undefined,
  ) {
    super(message);
    this.name = 'CloudHttpError';
  }

  get isVersionConflict(): boolean {
    return this.status === 409;
  }
}

/** The saved sign-in no longer works (refresh refused): a person has to sign in again. */
export class SignInRequiredError extends Error {
  constructor(message = 'The cloud session has ended: sign in again') {
    super(message);
    this.name = 'SignInRequiredError';
  }
}

export const ERROR_CODE_TOKEN_EXPIRED = 11;

/** Errors after which the whole round stops and is retried later (order is kept). */
export function isTransient(error: unknown): boolean {
  if (error instanceof CloudNetworkError) return true;
  if (error instanceof CloudHttpError) return error.status >= 500 || error.status === 429;
  return false;
}

export function describeCloudError(error: unknown): string {
  if (error instanceof CloudHttpError) return `HTTP ${error.status}: ${error.message}`;
  const disk = storageProblem(error);
  if (disk) return disk.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
