import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, HTTP_STATUS_OF } from '../../../shared/api/errors';
import { storageProblem } from '../storage-problem';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

export function sendResult(res: ServerResponse, result: unknown): void {
  sendJson(res, 200, { result });
}

/**
 * Answers an error. ApiErrors go out as they are; anything else is a bug: its stack goes to
 * stderr for the operator and the caller gets a generic message (stacks reveal internals).
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  status?: number,
): void {
  if (error instanceof ApiError) {
    sendJson(res, status ?? HTTP_STATUS_OF[error.code], { error: error.toBody() });
    return;
  }
  console.error(`field-ota http: ${req.method ?? '?'} ${req.url ?? '?'} failed:`, error);
  const disk = storageProblem(error);
  if (disk) {
    sendJson(res, HTTP_STATUS_OF[disk.code], { error: disk.toBody() });
    return;
  }
  sendJson(res, 500, {
    error: { code: 'INTERNAL', message: 'Internal error in the station (see its log).' },
  });
}
