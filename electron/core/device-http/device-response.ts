/**
 * How the HTTP device API answers, in ThingsBoard's forms: most refusals carry no body at all
 * (a device only reads the status), a bad request carries ThingsBoard's error JSON with the
 * reason, and a payload over the limit the JSON string ThingsBoard's size filter sends.
 */
import type { ServerResponse } from 'node:http';

import type { DeviceRefusal } from '../device-api/device-service';
import { sendJson } from '../http/json-response';

/** ThingsBoard's errorCode for a bad request (BAD_REQUEST_PARAMS). */
const BAD_REQUEST_PARAMS = 31;

export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'Content-Length': '0' });
  res.end();
}

/** 400 with a reason: ThingsBoard's error body, which its clients already know how to read. */
export function sendBadRequest(res: ServerResponse, message: string): void {
  sendJson(res, 400, {
    status: 400,
    message,
    errorCode: BAD_REQUEST_PARAMS,
    timestamp: Date.now(),
  });
}

/**
 * 413, and the connection closes once the answer is out: the body was left unread, and what
 * the client still sends would be read as its next request.
 */
export function sendTooLarge(res: ServerResponse, limit: number): void {
  if (res.headersSent || res.destroyed) return;
  res.setHeader('Connection', 'close');
  res.once('finish', () => res.socket?.destroySoon());
  sendJson(res, 413, `Payload size exceeds the limit of ${limit} bytes`);
}

/** A refusal the device service decided, in HTTP's terms (see the transport mapping). */
export function sendRefusal(
  res: ServerResponse,
  refusal: DeviceRefusal,
  message: string,
  limit: number,
): void {
  switch (refusal) {
    case 'bad-request':
      return sendBadRequest(res, message);
    case 'mismatch':
      // ThingsBoard: a title or version that is not the device's package is a 400, empty.
      return sendEmpty(res, 400);
    case 'not-found':
      return sendEmpty(res, 404);
    case 'too-large':
      return sendTooLarge(res, limit);
    case 'rate-limited':
      // ThingsBoard answers 500 here; 429 tells the device to slow down, not that we broke.
      return sendEmpty(res, 429, { 'Retry-After': '1' });
    case 'unavailable':
      return sendJson(res, 503, { status: 503, message, timestamp: Date.now() });
    case 'internal':
      return sendJson(res, 500, { status: 500, message, timestamp: Date.now() });
  }
}
