import type { StationEvents } from '../station-events';

/** Station events that mean something new may wait for the cloud. */
const LOCAL_CHANGE_EVENTS: ReadonlySet<string> = new Set([
  'device.changed',
  'executions.changed',
  'package.changed',
  'package.removed',
  'jobs.changed',
]);
const LOCAL_CHANGE_STATUS_DELAY_MS = 1000;

/**
 * Local work adds to what waits for the cloud: the UI's sync indicator is told (`announce`) at
 * most once a second, instead of it asking after every change it sees.
 */
export function watchLocalChanges(events: StationEvents, announce: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const unsubscribe = events.observe((event) => {
    if (!LOCAL_CHANGE_EVENTS.has(event.type) || timer !== undefined || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      announce();
    }, LOCAL_CHANGE_STATUS_DELAY_MS);
  });
  return () => {
    stopped = true;
    unsubscribe();
    clearTimeout(timer);
  };
}
