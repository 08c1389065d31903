import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError, HTTP_STATUS_OF } from '../../../shared/api/errors';
import { toErrorBody } from '../api/error-body';
import type { LogLevel } from '../log';

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
 * Answers an error with the body every transport gives (api/error-body.ts); the headless
 * station's log is its stderr.
 */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  status?: number,
): void {
  const body = toErrorBody(
    error,
    logToStderr,
    `field-ota http: ${req.method ?? '?'} ${req.url ?? '?'}`,
  );
  sendJson(res, status && error instanceof ApiError ? status : HTTP_STATUS_OF[body.code], {
    error: body,
  });
}

function logToStderr(level: LogLevel, message: string): void {
  console.error(`${level}: ${message}`);
}
