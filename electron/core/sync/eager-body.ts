import type { IncomingMessage } from 'node:http';

/** Above this many queued bytes the socket is paused (TCP then slows the sender). */
const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export interface EagerBody extends AsyncIterable<Buffer> {
  /** Stops reading and drops what is queued (the answer is not wanted). */
  discard(): void;
}

/**
 * Reads a response body from the moment it is handed over and queues it, so that when the
 * connection is cut every byte that arrived is still yielded before the cut is thrown. (A
 * response left paused loses what it had buffered when the cut destroys it: tens of KB of a
 * download that then have to be fetched again.) Attach it right after the response arrives,
 * before any other await. At most about `maxQueuedBytes` wait in memory; past that the socket
 * is paused until the consumer catches up.
 */
export function eagerBody(
  res: IncomingMessage,
  maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
): EagerBody {
  const queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  res.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= maxQueuedBytes) res.pause();
    notify();
  });
  res.on('end', () => {
    ended = true;
    notify();
  });
  const fail = (error: Error) => {
    failure ??= error;
    notify();
  };
  res.on('error', fail);
  res.on('aborted', () =>
    fail(Object.assign(new Error('the connection was closed'), { code: 'ECONNRESET' })),
  );
  res.on('close', () => {
    if (!ended) fail(Object.assign(new Error('the connection was closed'), { code: 'ECONNRESET' }));
  });
  return {
    discard() {
      queue.length = 0;
      queued = 0;
      res.destroy();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          queued -= chunk.length;
          if (res.isPaused() && queued <= maxQueuedBytes / 4) res.resume();
          yield chunk;
          continue;
        }
        if (ended) return;
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
