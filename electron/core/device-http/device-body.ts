import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { kind: 'body'; bytes: Buffer }
  /** Over the limit: declared so, or found so while reading (the rest is left unread). */
  | { kind: 'too-large'; declared: number | undefined }
  /** The client went away (or the request timed out) before the body was whole. */
  | { kind: 'gone' };

/**
 * A device's request body, at most `limit` bytes. A Content-Length over the limit is refused
 * before a byte is read, as ThingsBoard's PayloadSizeFilter does; a chunked body is cut off as
 * soon as it passes the limit, so no device can make the station hold more than `limit`.
 */
export function readDeviceBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.resolve({ kind: 'too-large', declared });
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let length = 0;
    const finish = (result: BodyResult): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (part: Buffer): void => {
      length += part.length;
      if (length > limit) {
        req.pause();
        finish({ kind: 'too-large', declared: undefined });
        return;
      }
      parts.push(part);
    };
    const onEnd = (): void => finish({ kind: 'body', bytes: Buffer.concat(parts, length) });
    const onClose = (): void => {
      if (!req.complete) finish({ kind: 'gone' });
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
  });
}
