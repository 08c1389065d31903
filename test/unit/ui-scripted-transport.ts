import type { ConnectionState, StationTransport } from '../../renderer/src/api/transport';
import type { StationEvent } from '../../shared/api/events';

/** What every list call answers unless the test says otherwise: an empty station. */
const EMPTY_STATION: Readonly<Record<string, unknown>> = {
  'station.status': null,
  'profiles.list': [],
  'packages.list': [],
  'devices.list': [],
  'executions.list': [],
  'jobs.list': [],
  'station.protocolErrors': [],
  'cloud.status': null,
  'cloud.log': [],
};

/**
 * A transport for the renderer's store, scripted by the test: calls answer from `answers`
 * (which the test may change later) over an empty station and are counted in `calls`;
 * events are pushed by hand, and the connection opens when the test says so.
 */
export function scriptedTransport(answers: Record<string, unknown> = {}) {
  const listeners = new Set<(event: StationEvent) => void>();
  let connection: (state: ConnectionState) => void = () => undefined;
  const calls: string[] = [];
  const transport = {
    kind: 'http',
    call: async (name: string) => {
      calls.push(name);
      return { ...EMPTY_STATION, ...answers }[name];
    },
    subscribe: (listener: (event: StationEvent) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onConnection: (listener: (state: ConnectionState) => void) => {
      connection = listener;
      listener('connecting');
      return () => undefined;
    },
    uploadPackage: () => {
      throw new Error('not used');
    },
    close: () => undefined,
  } as unknown as StationTransport;
  return {
    transport,
    calls,
    answers,
    push: (event: StationEvent) => listeners.forEach((l) => l(event)),
    open: () => connection('open'),
  };
}
