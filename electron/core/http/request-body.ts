import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';

/**
 * The request body as a stream the consumer may destroy without destroying the request.
 * Whoever consumes an upload may give up early (a duplicate package is refused before a byte
 * is read) and destroy its source; destroying the request itself would destroy the socket,
 * and the client would see a connection reset instead of our answer. Backpressure still
 * flows through (pipe), and a client that disconnects mid-body makes this stream error.
 */
export function detachableBody(req: IncomingMessage): Readable {
  const body = new PassThrough();
  req.pipe(body);
  const abort = () => {
    if (!req.complete)
      body.destroy(new Error('The client disconnected before the upload was complete.'));
  };
  req.once('error', abort);
  req.once('close', abort);
  return body;
}

/**
 * Reads and discards what is left of a request body, so an answer sent before the body was
 * consumed can be delivered (a client still sending would otherwise get a reset). Gives up
 * past `limit` bytes or `maxMs`: resolves false and the caller must close the connection.
 */
export function discardRest(req: IncomingMessage, limit: number, maxMs: number): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(false);
  return new Promise((resolve) => {
    let discarded = 0;
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limit) finish(false);
    };
    const timer = setTimeout(() => finish(false), maxMs);
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (!drained) req.pause();
      resolve(drained);
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(req.complete);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.resume();
  });
}
