import { parseAnswer } from '../../../shared/api/answers';
import type { Package } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import {
  createHttpApiClient,
  packageUploadUrl,
  requestHeaders,
  StationUnreachableError,
} from '../../../shared/api/http-client';
import type { PackageMetaInput } from '../../../shared/api/operations';
import { EventSocket } from './event-socket';
import {
  type PackageUpload,
  type StationTransport,
  UploadCancelledError,
  type UploadProgress,
} from './transport';

/**
 * The headless station's transport: operations over fetch (shared/api/http-client), events over
 * the /api/events WebSocket, uploads over XHR (the only browser API that reports upload
 * progress; it streams the File from disk rather than reading it into memory).
 */
export function createHttpTransport(baseUrl: string, token?: string): StationTransport {
  const base = baseUrl.replace(/\/+$/, '');
  const client = createHttpApiClient(base, token ? { token } : {});
  const wsUrl = new URL(`${base}/api/events`);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  // Browsers can't set headers on a WebSocket: the station also accepts ?token=.
  if (token) wsUrl.searchParams.set('token', token);
  const events = new EventSocket(wsUrl.toString(), () =>
    client.call('station.status', {}).then(
      () => false,
      (error: unknown) => error instanceof ApiError && error.code === 'UNAUTHORIZED',
    ),
  );

  return {
    kind: 'http',
    call: (name, input) => client.call(name, input),
    subscribe: (listener) => events.subscribe(listener),
    onConnection: (listener) => events.onConnection(listener),
    uploadPackage: (meta, file, onProgress) => xhrUpload(base, token, meta, file, onProgress),
    close: () => events.close(),
  };
}

function xhrUpload(
  base: string,
  token: string | undefined,
  meta: PackageMetaInput,
  file: File,
  onProgress: (progress: UploadProgress) => void,
): PackageUpload {
  const xhr = new XMLHttpRequest();
  let cancelled = false;
  const done = new Promise<Package>((resolve, reject) => {
    xhr.open('POST', packageUploadUrl(base, meta));
    for (const [name, value] of Object.entries(requestHeaders('application/octet-stream', token)))
      xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      onProgress({
        sentBytes: event.loaded,
        totalBytes: event.lengthComputable ? event.total : file.size,
      });
    };
    xhr.onload = () => {
      try {
        resolve(parseAnswer(xhr.status, xhr.responseText) as Package);
      } catch (error) {
        reject(error as Error);
      }
    };
    xhr.onabort = () => reject(new UploadCancelledError());
    xhr.onerror = () => {
      // The station may refuse early (duplicate, bad checksum) and close while we still send:
      // the browser then reports a network error although an answer was received.
      if (xhr.status > 0 && xhr.responseText) {
        try {
          resolve(parseAnswer(xhr.status, xhr.responseText) as Package);
        } catch (error) {
          reject(error as Error);
        }
        return;
      }
      reject(
        cancelled
          ? new UploadCancelledError()
          : new StationUnreachableError(base, new Error('upload interrupted')),
      );
    };
    xhr.send(file);
  });
  return {
    done,
    cancel: () => {
      cancelled = true;
      xhr.abort();
    },
  };
}
