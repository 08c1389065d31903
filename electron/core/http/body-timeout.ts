/**
 * Time limits on request bodies. Headers already have one (headersTimeout); a body could
 * otherwise crawl or stall for ever and hold its connection (and a descriptor) open. Long
 * API calls are not cut: the limit only runs while the body is being received.
 */
import type { IncomingMessage } from 'node:http';

/** A body silent this long is given up on; generous for a laptop on a slow site network. */
export const DEFAULT_BODY_IDLE_TIMEOUT_MS = 30_000;
/** A JSON call's body (at most 1 MiB) must be whole within this. */
export const DEFAULT_JSON_BODY_TIMEOUT_MS = 60_000;

/** Closes the connection when the body stops arriving for `idleMs`; lifted once it is whole. */
export function limitBodyIdle(req: IncomingMessage, idleMs: number): void {
  req.setTimeout(idleMs, () => req.socket.destroy());
  const lift = (): void => {
    req.setTimeout(0);
  };
  req.once('end', lift);
  req.once('close', lift);
}

/** Closes the connection unless the body is whole within `totalMs`; returns the canceller. */
export function limitBodyTotal(req: IncomingMessage, totalMs: number): () => void {
  const timer = setTimeout(() => req.socket.destroy(), totalMs);
  timer.unref();
  return () => clearTimeout(timer);
}
