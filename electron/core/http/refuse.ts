import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './json-response';
import { discardRest } from './request-body';

/** Enough for any JSON call a client might have been sending when refused. */
const DEFAULT_MAX_DISCARDED_BYTES = 8 * 1024 * 1024;

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
  const drained = await discardRest(req, maxDiscardedBytes);
  if (!drained) {
    if (req.destroyed) return; // the client is gone: nobody to answer
    // The rest of the body would be read as the next request: this connection is done.
    res.setHeader('Connection', 'close');
  }
  sendError(req, res, error, status);
}
