import type { SyncActivity } from '../../../shared/api/entities';
import {
  CloudNetworkError,
  describeCloudError,
  isTransient,
  SignInRequiredError,
} from './cloud-errors';
import type { ProgressReporter } from './sync-deps';

const PROGRESS_EVENT_MS = 200;

/**
 * What the cloud status shows that is not stored: whether the cloud answered lately, the last
 * error, the pull or push under way, and which items wait for another. Each change is announced
 * through `changed`; progress at most every 200 ms.
 */
export class SyncState {
  online: boolean | null = null;
  lastCheckAt: number | null = null;
  lastError: string | null = null;
  activity: SyncActivity | null = null;
  /** Items that wait for another item (seq -> why), as the last push found them. */
  waiting: ReadonlyMap<number, string> = new Map();
  private lastProgressEvent = 0;

  constructor(
    private readonly changed: () => void,
    private readonly log: (level: 'error', message: string) => void,
  ) {}

  /** The cloud just took the password. */
  signedIn(): void {
    this.online = true;
    this.lastCheckAt = Date.now();
    this.lastError = null;
  }

  signedOut(): void {
    this.online = null;
  }

  /** The cloud answered. */
  reachable(): void {
    this.online = true;
    this.lastCheckAt = Date.now();
    this.lastError = null;
    this.changed();
  }

  /** Why a probe, pull or push stopped. */
  stopReason(error: unknown): void {
    if (error instanceof SignInRequiredError) {
      this.lastError = error.message;
      this.log('error', error.message);
    } else if (isTransient(error) || (error as { transient?: boolean }).transient) {
      this.online = !(error instanceof CloudNetworkError);
      this.lastError = describeCloudError(error);
      this.lastCheckAt = Date.now();
    } else {
      this.lastError = describeCloudError(error);
    }
    this.changed();
  }

  setActivity(activity: SyncActivity | null): void {
    const phaseChanged = activity?.phase !== this.activity?.phase;
    this.activity = activity;
    const now = Date.now();
    // Progress comes per item: events are paced, but a phase's first report (a resumed download
    // starts at the bytes it kept) and the end always go out.
    if (
      activity &&
      !phaseChanged &&
      activity.done !== 0 &&
      activity.done !== activity.total &&
      now - this.lastProgressEvent < PROGRESS_EVENT_MS
    )
      return;
    this.lastProgressEvent = now;
    this.changed();
  }

  /** The progress of a pull or a push, shown as the activity. */
  reporter(kind: SyncActivity['kind']): ProgressReporter {
    return (phase, done, total, unit = 'ITEMS') =>
      this.setActivity({ kind, phase, done, total, unit });
  }
}
