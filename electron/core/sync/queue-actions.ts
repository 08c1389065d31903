import type { CloudConflict, CloudPendingItem, ConflictChoice } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { OutboxItem } from '../repositories/sync-queue';
import type { CloudClient } from './cloud-client';
import { describeCloudError } from './cloud-errors';
import { resolveConflict, toConflict } from './conflicts';
import { describe } from './push/outbox-push';
import type { SyncDeps } from './sync-deps';

/** The outbox as the technician sees it and handles what the push could not settle. */

export function pendingItems(
  deps: SyncDeps,
  waiting: ReadonlyMap<number, string>,
): CloudPendingItem[] {
  return deps.queue.items().map((item) => ({
    id: item.seq,
    kind: item.kind,
    entityId: item.entityId,
    label: describe(deps, item),
    status: item.status === 'PENDING' && waiting.has(item.seq) ? 'WAITING' : item.status,
    attempts: item.attempts,
    error: item.status === 'PENDING' ? (waiting.get(item.seq) ?? item.error) : item.error,
    createdAt: item.createdAt,
  }));
}

export function conflictList(deps: SyncDeps): CloudConflict[] {
  return deps.queue.items().flatMap((item) => toConflict(item) ?? []);
}

/** The item in conflict of that id. */
export function conflictItem(deps: SyncDeps, id: number): OutboxItem {
  const item = deps.queue.item(id);
  if (!item || item.status !== 'CONFLICT')
    throw new ApiError('NOT_FOUND', `There is no conflict ${id}`);
  return item;
}

/**
 * The technician's choice on a conflict, logged. `client` is undefined when signed out: a
 * choice that needs the cloud then answers "not resolved"; so does a cloud that fails now.
 */
export async function resolveQueuedConflict(
  deps: SyncDeps,
  client: CloudClient | undefined,
  item: OutboxItem,
  choice: ConflictChoice,
): Promise<{ id: number; resolved: boolean; message: string }> {
  const id = item.seq;
  try {
    const outcome = await resolveConflict(deps, client, item, choice);
    deps.log(
      outcome.resolved ? 'info' : 'warning',
      `Conflict "${item.error ?? id}": ${choice === 'KEEP_MINE' ? 'keep mine' : "take the cloud's"}: ${outcome.message}`,
    );
    return { id, ...outcome };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const message = `Could not resolve it now: ${describeCloudError(error)}`;
    deps.log('warning', message);
    return { id, resolved: false, message };
  }
}

/** A refused item goes back to pending: the next push tries it again. */
export function retryItem(deps: SyncDeps, id: number): { id: number } {
  failedItem(deps, id);
  deps.queue.reopen(id);
  return { id };
}

/** A refused item is given up: the cloud will not learn that change. */
export function discardItem(deps: SyncDeps, id: number): { id: number } {
  const item = failedItem(deps, id);
  deps.queue.drop([id]);
  deps.log('warning', `Discarded a failed change (${item.kind}): the cloud will not learn it`);
  return { id };
}

function failedItem(deps: SyncDeps, id: number): OutboxItem {
  const item = deps.queue.item(id);
  if (!item || item.status !== 'FAILED')
    throw new ApiError('NOT_FOUND', `There is no failed item ${id}`);
  return item;
}
