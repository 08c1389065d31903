import type { OutboxItem } from '../../repositories/sync-queue';
import { describeCloudError, isTransient, SignInRequiredError } from '../cloud-errors';
import type { ProgressReporter, SyncDeps } from '../sync-deps';
import { assignmentType, pushAssignment, slotName } from './push-assignment';
import { pushDeviceCreated } from './push-device';
import { pushDeviceUpdate } from './push-device-update';
import { pushPackageCreated } from './push-package';
import { pushProfileCreated } from './push-profile';
import { pushProfileAssignment } from './push-profile-assignment';
import type { PushContext, Pusher, PushOutcome } from './push-types';

const PUSHERS: Record<string, Pusher> = {
  'profile.created': pushProfileCreated,
  'device.created': pushDeviceCreated,
  'device.updated': pushDeviceUpdate,
  'package.created': pushPackageCreated,
  'assignment.set': pushAssignment,
  'assignment.cleared': pushAssignment,
  'profile-assignment.set': pushProfileAssignment,
  // Removing a package from the laptop frees its cache; deleting it in the cloud is the
  // console's decision. Nothing is sent.
  'package.deleted': async () => ({
    kind: 'done',
    counted: 'settled',
    note: 'removed from the cache only',
  }),
};

export interface OutboxPushed {
  profiles: number;
  devices: number;
  packages: number;
  assignments: number;
  settled: number;
  remaining: number;
  conflicts: number;
  failed: number;
  /** Items that wait for another item (seq -> why), for the pending list. */
  waiting: Map<number, string>;
  /** Set when the pass stopped early (network, 5xx, 429, session ended); it resumes in order. */
  stoppedBy?: unknown;
}

/**
 * One pass over the outbox in order. Order is kept per entity: an item behind a conflict,
 * a failure or a wait of the same entity waits too, while every other entity goes on. A network
 * error, 5xx or 429 that outlasts the client's retries stops the pass (`stoppedBy`): the next
 * pass starts again from the first item, and replays are safe (see each pusher).
 */
export async function pushOutbox(
  ctx: PushContext,
  progress: ProgressReporter,
): Promise<OutboxPushed> {
  const { queue } = ctx.deps;
  const result: OutboxPushed = {
    profiles: 0,
    devices: 0,
    packages: 0,
    assignments: 0,
    settled: 0,
    remaining: 0,
    conflicts: 0,
    failed: 0,
    waiting: new Map(),
  };
  const items = dropSuperseded(ctx, queue.items(), result);
  const blocked = new Set<string>();
  let done = 0;
  for (const item of items) {
    if (result.stoppedBy !== undefined) {
      result.remaining += 1;
      continue;
    }
    progress('outbox', done, items.length);
    done += 1;
    if (item.status === 'CONFLICT' || item.status === 'FAILED') {
      blocked.add(item.entityId);
      if (item.status === 'CONFLICT') result.conflicts += 1;
      else result.failed += 1;
      continue;
    }
    if (blocked.has(item.entityId)) {
      result.remaining += 1;
      result.waiting.set(item.seq, 'waiting for an earlier change of the same item');
      continue;
    }
    const pusher = PUSHERS[item.kind];
    let outcome: PushOutcome;
    try {
      outcome = pusher
        ? await pusher(ctx, item)
        : {
            kind: 'failed',
            message: `Unknown kind of change "${item.kind}" (written by a newer version?)`,
          };
    } catch (error) {
      if (isTransient(error) || error instanceof SignInRequiredError) {
        queue.countAttempt(item.seq, describeCloudError(error));
        result.stoppedBy = error;
        result.remaining += 1;
        continue;
      }
      outcome = { kind: 'failed', message: describeCloudError(error) };
    }
    record(ctx, item, outcome, result, blocked);
  }
  progress('outbox', items.length, items.length);
  return result;
}

function record(
  ctx: PushContext,
  item: OutboxItem,
  outcome: PushOutcome,
  result: OutboxPushed,
  blocked: Set<string>,
): void {
  const { queue, log } = ctx.deps;
  switch (outcome.kind) {
    case 'done':
      queue.complete(item.seq, outcome.apply);
      result[outcome.counted] += 1;
      if (outcome.counted !== 'settled') log('info', `Pushed ${describe(ctx.deps, item)}`);
      else if (outcome.note)
        log('info', `Nothing to push for ${describe(ctx.deps, item)}: ${outcome.note}`);
      return;
    case 'waiting':
      blocked.add(item.entityId);
      result.remaining += 1;
      result.waiting.set(item.seq, outcome.reason);
      return;
    case 'conflict':
      queue.markConflict(item.seq, outcome.message, outcome.detail);
      blocked.add(item.entityId);
      result.conflicts += 1;
      log('warning', `Conflict: ${outcome.message}`);
      return;
    case 'failed':
      queue.markFailed(item.seq, outcome.message);
      blocked.add(item.entityId);
      result.failed += 1;
      log('error', outcome.message);
      return;
  }
}

/**
 * What a later item of the same kind makes pointless: the items are pushed from the device's
 * current state, so only the latest one of each key matters (the earlier ones, even in conflict
 * or failed, are dropped). Assignments: per device and slot. Site edits of name and label: per
 * device.
 */
function supersedeKey(item: OutboxItem): string | undefined {
  if (item.kind.startsWith('assignment.') || item.kind === 'profile-assignment.set')
    return `${item.entityId}|${assignmentType(item.payload)}`;
  if (item.kind === 'device.updated') return `${item.entityId}|edit`;
  return undefined;
}

function dropSuperseded(ctx: PushContext, items: OutboxItem[], result: OutboxPushed): OutboxItem[] {
  const latest = new Map<string, number>();
  for (const item of items) {
    const key = supersedeKey(item);
    if (key !== undefined) latest.set(key, item.seq);
  }
  const superseded = items.filter((item) => {
    const key = supersedeKey(item);
    return key !== undefined && latest.get(key) !== item.seq;
  });
  if (superseded.length === 0) return items;
  ctx.deps.queue.drop(superseded.map((i) => i.seq));
  result.settled += superseded.length;
  const gone = new Set(superseded.map((i) => i.seq));
  return items.filter((item) => !gone.has(item.seq));
}

/** What a device.updated entry changed, in words (a move carries the profile ids). */
function editedFields(payload: unknown): string {
  const edit = payload as {
    name?: string;
    label?: string;
    profileId?: string;
    was?: { name?: string; label?: string };
  } | null;
  if (typeof edit?.profileId !== 'string') return 'name and label';
  const renamed = edit.name !== edit.was?.name || edit.label !== edit.was?.label;
  return renamed ? 'name, label and device profile' : 'device profile';
}

export function describe(
  { profileLinks, deviceLinks }: Pick<SyncDeps, 'profileLinks' | 'deviceLinks'>,
  item: OutboxItem,
): string {
  switch (item.kind) {
    case 'profile.created':
      return `device profile ${profileLinks.get(item.entityId)?.name ?? item.entityId}`;
    case 'device.created':
      return `device ${deviceLinks.get(item.entityId)?.name ?? item.entityId}`;
    case 'device.updated':
      return `${editedFields(item.payload)} of ${deviceLinks.get(item.entityId)?.name ?? item.entityId}`;
    case 'package.created':
    case 'package.deleted': {
      const payload = item.payload as { title?: string; version?: string } | null;
      return `package ${payload?.title ?? '?'} ${payload?.version ?? ''}`.trim();
    }
    case 'assignment.set':
    case 'assignment.cleared': {
      const device = deviceLinks.get(item.entityId)?.name ?? item.entityId;
      return `${slotName(assignmentType(item.payload))} assignment of ${device}`;
    }
    case 'profile-assignment.set': {
      const profile = profileLinks.get(item.entityId)?.name ?? item.entityId;
      return `${slotName(assignmentType(item.payload))} of device profile ${profile}`;
    }
    default:
      return `${item.kind} ${item.entityId}`;
  }
}
