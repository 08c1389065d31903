import type { CloudConflict } from '../../../../shared/api/entities';
import type { OutboxItem } from '../../repositories/sync-queue';
import type { CloudClient } from '../cloud-client';
import type { SyncDeps } from '../sync-deps';

/** What a conflict keeps so it can be shown and resolved (stored as the item's detail). */
export interface ConflictDetail {
  kind: CloudConflict['kind'];
  label: string;
  local: Record<string, unknown>;
  cloud: Record<string, unknown>;
  choices: CloudConflict['choices'];
  /** What resolution needs: the cloud's device as seen, the cloud package's id, ... */
  data: Record<string, unknown>;
}

/**
 * How an outbox item ended in this round. Network trouble is not an outcome: it is thrown, and
 * the round stops there so order is kept.
 */
export type PushOutcome =
  | {
      kind: 'done';
      counted: 'profiles' | 'devices' | 'packages' | 'assignments' | 'settled';
      apply?: () => void;
      note?: string;
    }
  | { kind: 'waiting'; reason: string }
  | { kind: 'conflict'; message: string; detail: ConflictDetail }
  | { kind: 'failed'; message: string };

export interface PushContext {
  deps: SyncDeps;
  client: CloudClient;
}

export type Pusher = (ctx: PushContext, item: OutboxItem) => Promise<PushOutcome>;

export function entityRef(entityType: string, id: string): { entityType: string; id: string } {
  return { entityType, id };
}
