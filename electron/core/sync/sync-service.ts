import type {
  CloudConflict,
  CloudPackage,
  CloudPendingItem,
  CloudStatus,
  ConflictChoice,
  PullSummary,
  PushSummary,
} from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import { CloudDeviceLinks } from '../repositories/cloud-device-links';
import { CloudPackageLinks } from '../repositories/cloud-package-links';
import { CloudPackageList } from '../repositories/cloud-packages';
import { CloudProfileLinks } from '../repositories/cloud-profile-links';
import { type LogEntry, SyncLog } from '../repositories/sync-log';
import { SyncQueue } from '../repositories/sync-queue';
import { SyncSettings } from '../repositories/sync-settings';
import { TelemetryWatermarks } from '../repositories/telemetry-watermarks';
import { AutoSync, type TickResult } from './auto-sync';
import type { BackoffOptions } from './backoff';
import { CloudClient, type RetryPolicy } from './cloud-client';
import { cloudStatus, hasQueuedWork } from './cloud-status';
import { watchLocalChanges } from './local-changes';
import type { PullRequest } from './pull/site-pull';
import {
  conflictItem,
  conflictList,
  discardItem,
  pendingItems,
  resolveQueuedConflict,
  retryItem,
} from './queue-actions';
import { type RunContext, runPull } from './run-pull';
import { runPush } from './run-push';
import type { SecretStore } from './secret-store';
import { CloudSession } from './session';
import { signIn } from './sign-in';
import type { SyncDeps } from './sync-deps';
import { SyncState } from './sync-state';

export interface SyncOptions {
  secrets: SecretStore;
  /** Probe and push automatically while signed in (default true). */
  autoSync?: boolean;
  /** While online, how often to check and push (default 60 s). */
  intervalMs?: number;
  /** While offline, probe backoff (default 5 s doubling up to 5 min, with jitter). */
  offlineBackoff?: BackoffOptions;
  /** The client's per-request retries (network errors, 5xx, 429). */
  retry?: Partial<RetryPolicy>;
  /** A request with no byte moving for this long is given up (default 30 s). */
  idleTimeoutMs?: number;
  pageSize?: number;
  /** Telemetry points per request (default 500: small enough for any body limit, yet quick). */
  telemetryBatch?: number;
}

/** What the station hands the sync; the sync's own repositories it makes itself. */
type BaseDeps = Omit<
  SyncDeps,
  | 'profileLinks'
  | 'deviceLinks'
  | 'packageLinks'
  | 'queue'
  | 'watermarks'
  | 'cloudPackages'
  | 'log'
  | 'now'
  | 'pageSize'
  | 'telemetryBatch'
>;

/**
 * Offline-first sync with the ServicePleX cloud: the session, pull, push, conflicts, and the
 * automatic probe-and-push loop. One pull or push at a time (they share the outbox and cache).
 * The work is in the modules it calls; this class holds the session's client and the turn.
 */
export class SyncService {
  private readonly deps: SyncDeps;
  private readonly settings: SyncSettings;
  private readonly syncLog: SyncLog;
  private readonly state: SyncState;
  private readonly run: RunContext;
  private readonly session: CloudSession;
  private readonly auto: AutoSync;
  private readonly abort = new AbortController();
  private client: CloudClient | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private closed = false;
  private stopWatchingLocalChanges: () => void = () => undefined;

  constructor(
    base: BaseDeps,
    private readonly options: SyncOptions,
  ) {
    this.settings = new SyncSettings(base.db);
    this.syncLog = new SyncLog(base.db);
    this.deps = {
      ...base,
      profileLinks: new CloudProfileLinks(base.db),
      deviceLinks: new CloudDeviceLinks(base.db),
      packageLinks: new CloudPackageLinks(base.db),
      queue: new SyncQueue(base.db),
      watermarks: new TelemetryWatermarks(base.db),
      cloudPackages: new CloudPackageList(base.db),
      log: (level, message) => this.log(level, message),
      now: () => Date.now(),
      pageSize: options.pageSize ?? 100,
      telemetryBatch: options.telemetryBatch ?? 500,
    };
    this.state = new SyncState(
      () => this.emitStatus(),
      (level, message) => this.log(level, message),
    );
    this.run = { deps: this.deps, settings: this.settings, state: this.state };
    this.session = new CloudSession(options.secrets, () => this.emitStatus());
    this.auto = new AutoSync(
      {
        intervalMs: options.intervalMs ?? 60_000,
        backoff: options.offlineBackoff ?? { baseMs: 5_000, capMs: 300_000 },
      },
      () => this.tick(),
      () => this.emitStatus(),
    );
  }

  /** Loads a saved session and, if there is one, starts the automatic sync. */
  async start(): Promise<void> {
    this.stopWatchingLocalChanges = watchLocalChanges(this.deps.events, () => this.emitStatus());
    let saved;
    try {
      saved = await this.session.load();
    } catch (error) {
      // An unreadable token file must not keep the station from serving devices.
      this.log(
        'error',
        `The saved cloud session could not be read (${(error as Error).message}): sign in again`,
      );
      return;
    }
    if (saved) {
      this.client = this.newClient(saved.url);
      if (this.autoSyncEnabled()) this.auto.start(0);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatchingLocalChanges();
    this.auto.stop();
    this.abort.abort(new Error('The station is closing'));
    await this.turn.catch(() => undefined);
  }

  // ---- session ----

  async login(url: string, username: string, password: string): Promise<CloudStatus> {
    const session = await signIn(
      {
        settings: this.settings,
        db: this.deps.db,
        session: this.session,
        idleTimeoutMs: this.idleTimeoutMs(),
      },
      url,
      username,
      password,
    );
    this.client = this.newClient(session.url);
    this.state.signedIn();
    this.log('info', `Signed in to ${session.url} as ${username}`);
    if (this.autoSyncEnabled()) this.auto.start(0);
    return this.status();
  }

  async logout(): Promise<CloudStatus> {
    this.auto.stop();
    await this.session.end();
    this.session.refused = false;
    this.client = undefined;
    this.state.signedOut();
    this.log('info', 'Signed out; the session tokens were deleted (pending changes stay queued)');
    return this.status();
  }

  setAutoSync(enabled: boolean): CloudStatus {
    this.settings.set('cloud.autoSync', enabled ? 1 : 0);
    if (!enabled) this.auto.stop();
    else if (this.session.session()) this.auto.start(0);
    return this.status();
  }

  // ---- pull and push ----

  pull(request: PullRequest): Promise<PullSummary> {
    return this.exclusive(() => runPull(this.run, this.requireClient(), request));
  }

  push(): Promise<PushSummary> {
    return this.exclusive(() => runPush(this.run, this.requireClient()));
  }

  // ---- what is queued ----

  pending(): CloudPendingItem[] {
    return pendingItems(this.deps, this.state.waiting);
  }

  conflicts(): CloudConflict[] {
    return conflictList(this.deps);
  }

  resolveConflict(
    id: number,
    choice: ConflictChoice,
  ): Promise<{ id: number; resolved: boolean; message: string }> {
    return this.exclusive(async () => {
      const item = conflictItem(this.deps, id);
      try {
        const client = this.session.session() ? this.client : undefined;
        return await resolveQueuedConflict(this.deps, client, item, choice);
      } finally {
        this.emitStatus();
      }
    });
  }

  retryItem(id: number): { id: number } {
    const retried = retryItem(this.deps, id);
    this.emitStatus();
    return retried;
  }

  discardItem(id: number): { id: number } {
    const discarded = discardItem(this.deps, id);
    this.emitStatus();
    return discarded;
  }

  recentLog(limit: number): LogEntry[] {
    return this.syncLog.recent(limit);
  }

  cloudPackages(): CloudPackage[] {
    return this.deps.cloudPackages.list();
  }

  status(): CloudStatus {
    return cloudStatus(
      { ...this.deps, settings: this.settings, state: this.state },
      {
        session: this.session.session(),
        refused: this.session.refused,
        tokenStorage: this.options.secrets.description,
        autoSync: this.autoSyncEnabled(),
        nextAttemptAt: this.auto.nextAt,
      },
    );
  }

  /** Client counters, for the sync log and the fault-injection figures. */
  clientCounters() {
    return this.client ? { ...this.client.counters } : undefined;
  }

  // ---- plumbing ----

  private async tick(): Promise<TickResult> {
    const client = this.client;
    if (!client || !this.session.session() || this.closed) return 'stop';
    try {
      await client.probe();
    } catch (error) {
      this.state.stopReason(error);
      return 'offline';
    }
    const cameBack = this.state.online !== true;
    this.state.reachable();
    if (cameBack) this.log('info', 'The cloud is reachable');
    if (!hasQueuedWork(this.status())) return 'online';
    const summary = await this.push();
    if (this.session.refused) return 'stop';
    return summary.error ? 'offline' : 'online';
  }

  private newClient(url: string): CloudClient {
    return new CloudClient({
      baseUrl: url,
      tokens: this.session,
      idleTimeoutMs: this.idleTimeoutMs(),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      signal: this.abort.signal,
    });
  }

  private idleTimeoutMs(): number {
    return this.options.idleTimeoutMs ?? 30_000;
  }

  private requireClient(): CloudClient {
    if (this.closed) throw new ApiError('CONFLICT', 'The station is closing');
    if (!this.client || !this.session.session())
      throw new ApiError(
        'UNAUTHORIZED',
        this.session.refused
          ? 'The cloud session has ended: sign in again'
          : 'Not signed in to the cloud: sign in first',
      );
    return this.client;
  }

  /** One pull, push or resolution at a time, in the order asked. */
  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.turn.then(run, run);
    this.turn = next.catch(() => undefined);
    return next;
  }

  private emitStatus(): void {
    // The status costs a few queries: only built when a UI (or test) listens.
    if (this.closed || !this.deps.events.hasListeners) return;
    try {
      this.deps.events.emit('cloud.status', this.status());
    } catch {
      // The database is closing: nobody is listening any more.
    }
  }

  private log(level: LogEntry['level'], message: string): void {
    const entry = this.syncLog.append(level, message);
    if (!this.closed) this.deps.events.emit('cloud.log', entry);
  }

  private autoSyncEnabled(): boolean {
    const saved = this.settings.get('cloud.autoSync');
    return saved === undefined ? (this.options.autoSync ?? true) : saved === '1';
  }
}
