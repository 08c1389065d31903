/**
 * The application API over the headless station's HTTP transport. Uses only the global
 * `fetch`, so the very same client runs in the browser (the renderer served by the station)
 * and in Node (the field-ota CLI).
 */
import type { Package } from './entities';
import { API_ERROR_CODES, ApiError, type ApiErrorCode } from './errors';
import type {
  ApiClient,
  OperationInput,
  OperationName,
  OperationResult,
  PackageMetaInput,
} from './operations';

export interface HttpClientOptions {
  /** Sent as `Authorization: Bearer <token>` (needed when the station is bound beyond loopback). */
  token?: string;
}

/** Socket errors meaning a connection was made and then lost, not that none could be made. */
const LOST_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);

/**
 * No answer from the station: it could not be reached at all (not running, wrong address,
 * network down), or it closed the connection before answering (stopped or crashed mid-request),
 * when whether the request was carried out is not known. Never a success.
 */
export class StationUnreachableError extends Error {
  readonly code = 'UNREACHABLE';

  constructor(
    readonly stationUrl: string,
    cause: unknown,
  ) {
    const reason = describeCause(cause);
    super(
      LOST_CONNECTION.has(reason) || reason === 'terminated' || reason === 'aborted'
        ? `The station at ${stationUrl} closed the connection before answering (${reason}): it stopped or crashed. Whether the request was carried out is not known: look before trying again.`
        : `The station at ${stationUrl} is not reachable (${reason}). Is it running, and is the address right?`,
      { cause },
    );
    this.name = 'StationUnreachableError';
  }
}

export function createHttpApiClient(baseUrl: string, opts: HttpClientOptions = {}): ApiClient {
  const base = trimBase(baseUrl);
  return {
    async call<N extends OperationName>(
      name: N,
      input: OperationInput<N>,
    ): Promise<OperationResult<N>> {
      const response = await send(base, `${base}/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: headers(opts, 'application/json'),
        body: JSON.stringify(input ?? {}),
      });
      return (await readAnswer(base, response)) as OperationResult<N>;
    },
  };
}

/** What `uploadPackage` accepts as the binary: a File/Blob in the browser, a web ReadableStream in Node. */
export type PackageBody = Blob | ArrayBuffer | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;

/**
 * Streams a package binary to POST /api/packages/upload. The station hashes and stores it as it
 * arrives, so nothing is buffered whole on either side.
 */
export async function uploadPackage(
  baseUrl: string,
  meta: PackageMetaInput,
  body: PackageBody,
  opts: HttpClientOptions = {},
): Promise<Package> {
  const base = trimBase(baseUrl);
  const init: RequestInit & { duplex?: 'half' } = {
    method: 'POST',
    headers: headers(opts, 'application/octet-stream'),
    body,
  };
  // A streamed request body must declare half-duplex (fetch spec); Blobs and buffers don't need it.
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) init.duplex = 'half';
  const response = await send(
    base,
    `${base}/api/packages/upload?meta=${encodeURIComponent(JSON.stringify(meta))}`,
    init,
  );
  return (await readAnswer(base, response)) as Package;
}

function headers(opts: HttpClientOptions, contentType: string): Record<string, string> {
  const h: Record<string, string> = { 'Content-Type': contentType, Accept: 'application/json' };
  if (opts.token) h.Authorization = `Bearer ${opts.token}`;
  return h;
}

async function send(base: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new StationUnreachableError(base, error);
  }
}

/** The answer's body cut short (the station stopped while sending it) is no answer either. */
async function readAnswer(base: string, response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new StationUnreachableError(base, error);
  }
  return parseAnswer(response.status, response.statusText, text);
}

/**
 * `{"result": ...}` on success; `{"error": {code, message, fields?}}` rebuilt as the ApiError the
 * station threw. Exported for clients that send with something other than fetch.
 */
export function parseAnswer(status: number, statusText: string, text: string): unknown {
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON: a proxy or something else answered; reported below with the status.
  }
  if (status >= 200 && status < 300 && isObject(body) && 'result' in body) return body.result;
  const error = isObject(body) && isObject(body.error) ? body.error : null;
  if (error && typeof error.message === 'string') {
    const code = isErrorCode(error.code) ? error.code : 'INTERNAL';
    const fields = isObject(error.fields) ? stringRecord(error.fields) : undefined;
    throw new ApiError(code, error.message, fields);
  }
  throw new ApiError(
    'INTERNAL',
    `The station answered HTTP ${status} ${statusText} with an unexpected body.`,
  );
}

function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

function describeCause(cause: unknown): string {
  // Node's fetch hides the socket error (ECONNREFUSED, ENOTFOUND) one level down.
  const inner = isObject(cause) && isObject(cause.cause) ? cause.cause : cause;
  if (isObject(inner) && typeof inner.code === 'string') return inner.code;
  return inner instanceof Error ? inner.message : String(inner);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}

function stringRecord(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
