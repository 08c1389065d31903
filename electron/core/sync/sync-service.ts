import type {
  CloudConflict,
  CloudPackage,
  CloudPendingItem,
  CloudStatus,
  ConflictChoice,
  PullSummary,
  PushSummary,
  SyncActivity,
} from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import { AutoSync, type TickResult } from './auto-sync';
import type { BackoffOptions } from './backoff';
import { CloudClient, normalizeCloudUrl, type RetryPolicy } from './cloud-client';
import {
  CloudHttpError,
  CloudNetworkError,
  describeCloudError,
  isTransient,
  SignInRequiredError,
} from './cloud-errors';
import { CloudLinks } from './cloud-links';
import { resolveConflict, toConflict } from './conflicts';
import { pullSite, type PullRequest } from './pull/site-pull';
import { describe, pushOutbox } from './push/outbox-push';
import { pushTelemetry } from './push/push-telemetry';
import type { SecretStore } from './secret-store';
import { CloudSession } from './session';
import type { ProgressReporter, SyncDeps } from './sync-deps';
import { SyncStore } from './sync-store';

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

type BaseDeps = Omit<SyncDeps, 'links' | 'store' | 'log' | 'now' | 'pageSize' | 'telemetryBatch'>;

const PROGRESS_EVENT_MS = 200;

/**
 * Offline-first sync with the ServicePleX cloud: the session, pull, push, conflicts, and the
 * automatic probe-and-push loop. One pull or push at a time (they share the outbox and cache).
 */
/** Station events that mean something new may wait for the cloud. */
const LOCAL_CHANGE_EVENTS: ReadonlySet<string> = new Set([
  'device.changed',
  'executions.changed',
  'package.changed',
  'package.removed',
  'jobs.changed',
]);
const LOCAL_CHANGE_STATUS_DELAY_MS = 1000;

export class SyncService {
  private readonly deps: SyncDeps;
  private readonly store: SyncStore;
  private readonly session: CloudSession;
  private readonly auto: AutoSync;
  private readonly abort = new AbortController();
  private client: CloudClient | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private activity: SyncActivity | null = null;
  private online: boolean | null = null;
  private lastCheckAt: number | null = null;
  private lastError: string | null = null;
  private waiting = new Map<number, string>();
  private lastProgressEvent = 0;
  private closed = false;
  private unsubscribeLocalChanges: () => void = () => undefined;
  private statusTimer: NodeJS.Timeout | undefined;

  constructor(
    base: BaseDeps,
    private readonly options: SyncOptions,
  ) {
    this.store = new SyncStore(base.db);
    this.deps = {
      ...base,
      links: new CloudLinks(base.db),
      store: this.store,
      log: (level, message) => this.log(level, message),
      now: () => Date.now(),
      pageSize: options.pageSize ?? 100,
      telemetryBatch: options.telemetryBatch ?? 500,
    };
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
    // Local work adds to what waits for the cloud: tell the UI's sync indicator, at most once a
    // second, instead of it asking after every change it sees.
    this.unsubscribeLocalChanges = this.deps.events.observe((event) => {
      if (LOCAL_CHANGE_EVENTS.has(event.type)) this.statusSoon();
    });
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
    this.unsubscribeLocalChanges();
    clearTimeout(this.statusTimer);
    this.auto.stop();
    this.abort.abort(new Error('The station is closing'));
    await this.queue.catch(() => undefined);
  }

  // ---- session ----

  async login(url: string, username: string, password: string): Promise<CloudStatus> {
    let baseUrl: string;
    try {
      baseUrl = normalizeCloudUrl(url);
    } catch (error) {
      throw new ApiError('BAD_REQUEST', (error as Error).message, { url: 'is not a valid URL' });
    }
    const bound = this.store.setting('cloud.boundUrl');
    if (bound && bound !== baseUrl && this.hasCloudData())
      throw new ApiError(
        'CONFLICT',
        `This station's data was synced with ${bound}; sign in there, or use another data folder for ${baseUrl}`,
        { url: 'belongs to another cloud' },
      );
    let tokens;
    try {
      tokens = await CloudClient.once(baseUrl, {
        idleTimeoutMs: this.options.idleTimeoutMs ?? 30_000,
      }).login(username, password);
    } catch (error) {
      if (error instanceof CloudHttpError && error.status === 401)
        throw new ApiError('UNAUTHORIZED', 'The cloud refused this username and password', {
          password: 'refused',
        });
      if (error instanceof CloudNetworkError)
        throw new ApiError(
          'BAD_REQUEST',
          `The cloud at ${baseUrl} is not reachable (${error.code ?? error.message}): check the address and the connection`,
          {
            url: 'not reachable',
          },
        );
      throw new ApiError('BAD_REQUEST', `Sign-in failed: ${describeCloudError(error)}`);
    }
    await this.session.start({
      url: baseUrl,
      username,
      token: tokens.token,
      refreshToken: tokens.refreshToken,
    });
    this.store.setSetting('cloud.url', baseUrl);
    this.store.setSetting('cloud.username', username);
    this.store.setSetting('cloud.boundUrl', baseUrl);
    this.client = this.newClient(baseUrl);
    this.online = true;
    this.lastCheckAt = Date.now();
    this.lastError = null;
    this.log('info', `Signed in to ${baseUrl} as ${username}`);
    if (this.autoSyncEnabled()) this.auto.start(0);
    return this.status();
  }

  async logout(): Promise<CloudStatus> {
    this.auto.stop();
    await this.session.end();
    this.session.refused = false;
    this.client = undefined;
    this.online = null;
    this.log('info', 'Signed out; the session tokens were deleted (pending changes stay queued)');
    return this.status();
  }

  setAutoSync(enabled: boolean): CloudStatus {
    this.store.setSetting('cloud.autoSync', enabled ? 1 : 0);
    if (!enabled) this.auto.stop();
    else if (this.session.session()) this.auto.start(0);
    return this.status();
  }

  // ---- pull and push ----

  pull(request: PullRequest): Promise<PullSummary> {
    return this.exclusive(async () => {
      const client = this.requireClient();
      this.setActivity({ kind: 'PULL', phase: 'starting', done: 0, total: null, unit: 'ITEMS' });
      try {
        const summary = await pullSite(
          this.deps,
          client,
          request,
          (phase, done, total, unit = 'ITEMS') =>
            this.setActivity({ kind: 'PULL', phase, done, total, unit }),
        );
        this.reachable(true);
        this.store.setSetting('cloud.lastPullAt', summary.finishedAt);
        this.log('info', pullMessage(summary));
        for (const warning of summary.warnings) this.log('warning', warning);
        return summary;
      } catch (error) {
        this.stopReason(error);
        if (
          !isTransient(error) &&
          !(error instanceof SignInRequiredError) &&
          !(error as { transient?: boolean }).transient
        )
          throw error;
        return emptyPull(
          `The pull stopped (${describeCloudError(error)}); it continues where it was next time`,
        );
      } finally {
        this.setActivity(null);
      }
    });
  }

  push(): Promise<PushSummary> {
    return this.exclusive(async () => {
      const client = this.requireClient();
      const summary: PushSummary = {
        pushed: {
          profiles: 0,
          devices: 0,
          packages: 0,
          assignments: 0,
          settled: 0,
          telemetryPoints: 0,
        },
        remaining: 0,
        conflicts: 0,
        failed: 0,
        error: null,
        finishedAt: 0,
      };
      this.setActivity({
        kind: 'PUSH',
        phase: 'checking the cloud',
        done: 0,
        total: null,
        unit: 'ITEMS',
      });
      try {
        // A quick look first: when the cloud is not there, "Sync now" answers at once.
        try {
          await client.probe();
        } catch (error) {
          this.stopReason(error);
          summary.error = `The cloud is not reachable (${describeCloudError(error)}); changes stay queued`;
          summary.remaining = this.store.items().length;
          return { ...summary, finishedAt: Date.now() };
        }
        const ctx = { deps: this.deps, client };
        const progress: ProgressReporter = (phase, done, total, unit = 'ITEMS') =>
          this.setActivity({ kind: 'PUSH', phase, done, total, unit });
        const outbox = await pushOutbox(ctx, progress);
        this.waiting = outbox.waiting;
        summary.pushed = {
          profiles: outbox.profiles,
          devices: outbox.devices,
          packages: outbox.packages,
          assignments: outbox.assignments,
          settled: outbox.settled,
          telemetryPoints: 0,
        };
        summary.remaining = outbox.remaining;
        summary.conflicts = outbox.conflicts;
        summary.failed = outbox.failed;
        let stoppedBy = outbox.stoppedBy;
        if (stoppedBy === undefined) {
          const telemetry = await pushTelemetry(ctx, progress);
          summary.pushed.telemetryPoints = telemetry.points;
          stoppedBy = telemetry.stoppedBy;
        }
        if (stoppedBy !== undefined) {
          this.stopReason(stoppedBy);
          summary.error = `The push stopped (${describeCloudError(stoppedBy)}); it resumes in order next time`;
        } else {
          this.reachable(true);
          this.store.setSetting('cloud.lastPushAt', Date.now());
        }
        this.log(summary.error ? 'warning' : 'info', pushMessage(summary));
        return { ...summary, finishedAt: Date.now() };
      } finally {
        this.setActivity(null);
      }
    });
  }

  // ---- what is queued ----

  pending(): CloudPendingItem[] {
    const ctx = { deps: this.deps, client: this.client as CloudClient };
    return this.store.items().map((item) => ({
      id: item.seq,
      kind: item.kind,
      entityId: item.entityId,
      label: describe(ctx, item),
      status: item.status === 'PENDING' && this.waiting.has(item.seq) ? 'WAITING' : item.status,
      attempts: item.attempts,
      error: item.status === 'PENDING' ? (this.waiting.get(item.seq) ?? item.error) : item.error,
      createdAt: item.createdAt,
    }));
  }

  conflicts(): CloudConflict[] {
    return this.store.items().flatMap((item) => toConflict(item) ?? []);
  }

  resolveConflict(
    id: number,
    choice: ConflictChoice,
  ): Promise<{ id: number; resolved: boolean; message: string }> {
    return this.exclusive(async () => {
      const item = this.store.item(id);
      if (!item || item.status !== 'CONFLICT')
        throw new ApiError('NOT_FOUND', `There is no conflict ${id}`);
      try {
        const outcome = await resolveConflict(
          this.deps,
          this.session.session() ? this.client : undefined,
          item,
          choice,
        );
        this.log(
          outcome.resolved ? 'info' : 'warning',
          `Conflict "${item.error ?? id}": ${choice === 'KEEP_MINE' ? 'keep mine' : "take the cloud's"}: ${outcome.message}`,
        );
        return { id, ...outcome };
      } catch (error) {
        if (error instanceof ApiError) throw error;
        const message = `Could not resolve it now: ${describeCloudError(error)}`;
        this.log('warning', message);
        return { id, resolved: false, message };
      } finally {
        this.emitStatus();
      }
    });
  }

  retryItem(id: number): { id: number } {
    const item = this.store.item(id);
    if (!item || item.status !== 'FAILED')
      throw new ApiError('NOT_FOUND', `There is no failed item ${id}`);
    this.store.reopen(id);
    this.emitStatus();
    return { id };
  }

  discardItem(id: number): { id: number } {
    const item = this.store.item(id);
    if (!item || item.status !== 'FAILED')
      throw new ApiError('NOT_FOUND', `There is no failed item ${id}`);
    this.store.drop([id]);
    this.log('warning', `Discarded a failed change (${item.kind}): the cloud will not learn it`);
    this.emitStatus();
    return { id };
  }

  recentLog(limit: number) {
    return this.store.recentLog(limit);
  }

  cloudPackages(): CloudPackage[] {
    const rows = this.deps.db
      .prepare(
        `SELECT c.*, p.name AS profile_name, k.id AS local_id
         FROM cloud_packages c
         LEFT JOIN device_profiles p ON p.cloud_id = c.profile_cloud_id
         LEFT JOIN packages k ON k.cloud_id = c.cloud_id
         ORDER BY c.title, c.created_time`,
      )
      .all() as {
      cloud_id: string;
      title: string;
      version: string;
      type: 'FIRMWARE' | 'SOFTWARE';
      profile_name: string | null;
      has_data: number;
      data_size: number | null;
      checksum_algorithm: string | null;
      checksum: string | null;
      local_id: string | null;
    }[];
    return rows.map((r) => ({
      cloudId: r.cloud_id,
      title: r.title,
      version: r.version,
      type: r.type,
      profileName: r.profile_name,
      hasData: r.has_data === 1,
      size: r.data_size,
      checksumAlgorithm: r.checksum_algorithm,
      checksum: r.checksum,
      localPackageId: r.local_id,
    }));
  }

  status(): CloudStatus {
    const session = this.session.session();
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
    for (const { kind, status, n } of this.store.itemCounts()) {
      if (status === 'CONFLICT') conflicts += n;
      else if (status === 'FAILED') failed += n;
      else if (kind === 'profile.created') pending.profiles += n;
      else if (kind === 'device.created' || kind === 'device.updated') pending.devices += n;
      else if (kind.startsWith('package.')) pending.packages += n;
      else if (kind.startsWith('assignment.')) pending.assignments += n;
      else pending.other += n;
    }
    for (const n of this.store.pendingTelemetry().values()) pending.telemetryPoints += n;
    return {
      url: session?.url ?? this.store.setting('cloud.url') ?? null,
      username: session?.username ?? this.store.setting('cloud.username') ?? null,
      connection: !session
        ? this.session.refused
          ? 'SIGN_IN_REQUIRED'
          : 'SIGNED_OUT'
        : this.online
          ? 'ONLINE'
          : 'OFFLINE',
      tokenStorage: this.options.secrets.description,
      autoSync: this.autoSyncEnabled(),
      activity: this.activity,
      lastPullAt: this.store.numberSetting('cloud.lastPullAt'),
      lastPushAt: this.store.numberSetting('cloud.lastPushAt'),
      lastCheckAt: this.lastCheckAt,
      nextAttemptAt: this.auto.nextAt,
      lastError: this.lastError,
      pending,
      conflicts,
      failed,
    };
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
      this.stopReason(error);
      return 'offline';
    }
    const cameBack = this.online !== true;
    this.reachable(true);
    if (cameBack) this.log('info', 'The cloud is reachable');
    const status = this.status();
    const { telemetryPoints, ...items } = status.pending;
    const queued = Object.values(items).some((n) => n > 0) || telemetryPoints > 0;
    if (!queued) return 'online';
    const summary = await this.push();
    if (this.session.refused) return 'stop';
    return summary.error ? 'offline' : 'online';
  }

  private newClient(url: string): CloudClient {
    return new CloudClient({
      baseUrl: url,
      tokens: this.session,
      idleTimeoutMs: this.options.idleTimeoutMs ?? 30_000,
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      signal: this.abort.signal,
    });
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

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private reachable(yes: boolean): void {
    this.online = yes;
    this.lastCheckAt = Date.now();
    if (yes) this.lastError = null;
    this.emitStatus();
  }

  private stopReason(error: unknown): void {
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
    this.emitStatus();
  }

  private setActivity(activity: SyncActivity | null): void {
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
    this.emitStatus();
  }

  private statusSoon(): void {
    if (this.statusTimer !== undefined || this.closed) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.emitStatus();
    }, LOCAL_CHANGE_STATUS_DELAY_MS);
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

  private log(level: 'info' | 'warning' | 'error', message: string): void {
    const entry = this.store.log(level, message);
    if (!this.closed) this.deps.events.emit('cloud.log', entry);
  }

  private autoSyncEnabled(): boolean {
    const saved = this.store.setting('cloud.autoSync');
    return saved === undefined ? (this.options.autoSync ?? true) : saved === '1';
  }

  private hasCloudData(): boolean {
    return (
      this.deps.db
        .prepare(
          `SELECT 1 FROM devices WHERE cloud_id IS NOT NULL UNION ALL SELECT 1 FROM packages WHERE cloud_id IS NOT NULL
         UNION ALL SELECT 1 FROM device_profiles WHERE cloud_id IS NOT NULL LIMIT 1`,
        )
        .get() !== undefined
    );
  }
}

function emptyPull(error: string): PullSummary {
  return {
    profiles: { added: 0, updated: 0 },
    devices: { added: 0, updated: 0, markedDeleted: 0, removed: 0 },
    packages: {
      listed: 0,
      downloaded: 0,
      alreadyCached: 0,
      markedDeleted: 0,
      removed: 0,
      failed: [],
    },
    assignments: { applied: 0, skipped: 0 },
    warnings: [],
    error,
    finishedAt: Date.now(),
  };
}

function pullMessage(s: PullSummary): string {
  return (
    `Pulled: ${s.profiles.added} profile(s) added, ${s.devices.added} device(s) added and ${s.devices.updated} updated, ` +
    `${s.packages.listed} package(s) listed, ${s.packages.downloaded} binary(ies) downloaded, ` +
    `${s.assignments.applied} assignment(s) applied` +
    (s.packages.failed.length ? `, ${s.packages.failed.length} binary(ies) failed` : '')
  );
}

function pushMessage(s: PushSummary): string {
  const p = s.pushed;
  return (
    `Pushed: ${p.profiles} profile(s), ${p.devices} device(s), ${p.packages} package(s), ${p.assignments} assignment(s), ` +
    `${p.telemetryPoints} telemetry point(s); ${s.remaining} waiting, ${s.conflicts} conflict(s), ${s.failed} failed` +
    (s.error ? `. ${s.error}` : '')
  );
}
