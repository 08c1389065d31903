import type { StationEvents } from './station-events';

/** Often enough that a UI notices a stuck station within a few seconds. */
export const HEARTBEAT_INTERVAL_MS = 2_000;

/**
 * Tells every open UI, on a timer, that the station's event loop still runs. A blocked or
 * stopped process keeps its sockets open, so only the missing beat shows it is stuck.
 */
export function startHeartbeat(events: StationEvents): () => void {
  const timer = setInterval(() => {
    if (events.hasListeners) events.emit('station.heartbeat', { at: Date.now() });
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
