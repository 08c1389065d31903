import type { IncomingMessage, ServerResponse } from 'node:http';

import { sendError } from './json-response';
import { discardRest } from './request-body';

/** Enough for any JSON call a client might have been sending when refused. */
const DEFAULT_MAX_DISCARDED_BYTES = 8 * 1024 * 1024;
/** Past this the rest of a refused body is not waited for: the connection is closed instead. */
const MAX_DISCARD_MS = 10_000;

/**
 * Answers an error, possibly before the request body was read. The unread rest is read and
 * thrown away first: closing a socket with unread data makes the client see a connection reset
 * instead of our answer. Past `maxDiscardedBytes` the connection is closed after the answer.
 */
export async function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  status?: number,
  maxDiscardedBytes = DEFAULT_MAX_DISCARDED_BYTES,
): Promise<void> {
  const drained = await discardRest(req, maxDiscardedBytes, MAX_DISCARD_MS);
  if (!drained) {
    if (req.destroyed) return; // the client is gone: nobody to answer
    // The rest of the body would be read as the next request: this connection is done.
    res.setHeader('Connection', 'close');
  }
  sendError(req, res, error, status);
}

/**
 * Answers a request refused for who sent it (wrong Host, wrong or missing token) and closes the
 * connection at once: its body is not read at all, since a stranger's body deserves neither
 * the time nor the bytes (200 slow ones used to hold 200 connections open).
 */
export function refuseAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  status?: number,
): void {
  res.setHeader('Connection', 'close');
  // Once the answer is flushed: anything the client still sends would be read for nothing.
  res.once('finish', () => req.socket.destroySoon());
  sendError(req, res, error, status);
}
