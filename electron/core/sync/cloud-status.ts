import type { CloudStatus } from '../../../shared/api/entities';
import type { SyncQueue } from '../repositories/sync-queue';
import type { SyncSettings } from '../repositories/sync-settings';
import type { TelemetryWatermarks } from '../repositories/telemetry-watermarks';
import type { StoredSession } from './session';
import type { SyncState } from './sync-state';

/** Where the status's stored parts come from. */
export interface StatusSources {
  queue: SyncQueue;
  watermarks: TelemetryWatermarks;
  settings: SyncSettings;
  state: SyncState;
}

/** The session and the automatic sync, as they stand. */
export interface SessionView {
  session: StoredSession | null;
  /** The cloud refused the saved session: a sign-in is needed. */
  refused: boolean;
  tokenStorage: string;
  autoSync: boolean;
  nextAttemptAt: number | null;
}

/** The cloud status as the UI shows it: connection, what waits, what went wrong. */
export function cloudStatus(sources: StatusSources, view: SessionView): CloudStatus {
  const { queue, watermarks, settings, state } = sources;
  const { session } = view;
  const pending = {
    profiles: 0,
    devices: 0,
    packages: 0,
    assignments: 0,
    other: 0,
    telemetryPoints: 0,
  };
  let conflicts = 0;
  let failed = 0;
  for (const { kind, status, n } of queue.itemCounts()) {
    if (status === 'CONFLICT') conflicts += n;
    else if (status === 'FAILED') failed += n;
    else if (kind === 'profile.created') pending.profiles += n;
    else if (kind === 'device.created' || kind === 'device.updated') pending.devices += n;
    else if (kind.startsWith('package.')) pending.packages += n;
    else if (kind.startsWith('assignment.') || kind === 'profile-assignment.set')
      pending.assignments += n;
    else pending.other += n;
  }
  for (const n of watermarks.pending().values()) pending.telemetryPoints += n;
  return {
    url: session?.url ?? settings.get('cloud.url') ?? null,
    username: session?.username ?? settings.get('cloud.username') ?? null,
    connection: !session
      ? view.refused
        ? 'SIGN_IN_REQUIRED'
        : 'SIGNED_OUT'
      : state.online
        ? 'ONLINE'
        : 'OFFLINE',
    tokenStorage: view.tokenStorage,
    autoSync: view.autoSync,
    activity: state.activity,
    lastPullAt: settings.number('cloud.lastPullAt'),
    lastPushAt: settings.number('cloud.lastPushAt'),
    lastCheckAt: state.lastCheckAt,
    nextAttemptAt: view.nextAttemptAt,
    lastError: state.lastError,
    pending,
    conflicts,
    failed,
  };
}

/** Whether anything waits to be pushed: items or telemetry. */
export function hasQueuedWork(status: CloudStatus): boolean {
  const { telemetryPoints, ...items } = status.pending;
  return Object.values(items).some((n) => n > 0) || telemetryPoints > 0;
}
