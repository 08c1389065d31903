/**
 * The application API over the headless station's HTTP transport. Uses only the global
 * `fetch`, so the very same client runs in the browser (the renderer served by the station)
 * and in Node (the field-ota CLI).
 */
import { parseAnswer } from './answers';
import type { Package } from './entities';
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
        headers: requestHeaders('application/json', opts.token),
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
    headers: requestHeaders('application/octet-stream', opts.token),
    body,
  };
  // A streamed request body must declare half-duplex (fetch spec); Blobs and buffers don't need it.
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) init.duplex = 'half';
  const response = await send(base, packageUploadUrl(base, meta), init);
  return (await readAnswer(base, response)) as Package;
}

/** Where a package binary is posted; its metadata travels in the query, the binary as the body. */
export function packageUploadUrl(base: string, meta: PackageMetaInput): string {
  return `${trimBase(base)}/api/packages/upload?meta=${encodeURIComponent(JSON.stringify(meta))}`;
}

/** The headers of every request to the station, for fetch and for XHR alike. */
export function requestHeaders(contentType: string, token?: string): Record<string, string> {
  const h: Record<string, string> = { 'Content-Type': contentType, Accept: 'application/json' };
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

async function send(base: string, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new StationUnreachableError(base, error);
  }
}

/**
 * Reads a fetch Response as a station answer; a body cut short (the station stopped while
 * sending it) is no answer either.
 */
async function readAnswer(base: string, response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new StationUnreachableError(base, error);
  }
  return parseAnswer(response.status, text, response.statusText);
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
