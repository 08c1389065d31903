import type { IncomingMessage } from 'node:http';

import { ApiError } from '../../../shared/api/errors';
import { DEFAULT_JSON_BODY_TIMEOUT_MS, limitBodyTotal } from './body-timeout';

export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** Only application/json: it can't be sent by a plain HTML form, so cross-site posts need CORS, which we never grant. */
export function isJsonContentType(req: IncomingMessage): boolean {
  return mediaType(req) === 'application/json';
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Reads and parses a JSON body, refusing more than `limit` bytes without buffering them. An
 * empty body is `undefined`. On refusal the request is left paused, not destroyed, so the
 * caller can still answer on its connection.
 */
export function readJsonBody(
  req: IncomingMessage,
  limit = MAX_JSON_BODY_BYTES,
  totalMs = DEFAULT_JSON_BODY_TIMEOUT_MS,
): Promise<unknown> {
  const tooLarge = () =>
    new ApiError('PAYLOAD_TOO_LARGE', `Request body is larger than ${limit} bytes.`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());

  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const cancelDeadline = limitBodyTotal(req, totalMs);
    const cleanup = () => {
      cancelDeadline();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge());
        return;
      }
      parts.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      try {
        resolve(parseJson(Buffer.concat(parts).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(
      'BAD_REQUEST',
      `Request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
