import type { PushOutcome } from './push-types';

/** The entity of an outbox item is gone from the station: nothing is left to push. */
export function goneOnSite(note: string): PushOutcome {
  return { kind: 'done', counted: 'settled', note };
}
