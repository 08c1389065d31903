import type {
  CloudLogEntry,
  CloudStatus,
  Device,
  Execution,
  Job,
  Package,
  Profile,
  ProtocolErrorEntry,
  StationStatus,
} from '../../../shared/api/entities';
import type { StationEvent } from '../../../shared/api/events';
import { FINAL_STATES } from '../../../shared/protocol/states';
import type { ConnectionState, StationTransport } from '../api/transport';
import { messageOf } from '../api/validate-input';
import { isOpenJob } from '../lib/job-figures';
import { executionsByJob, type JobSummary, summariseJobs } from './job-summary';

/** How often pushed events reach React at most: 1000 devices updating must not flood it. */
export const FLUSH_INTERVAL_MS = 250;
const MAX_EXECUTIONS = 10_000;
const MAX_PROTOCOL_ERRORS = 200;
/**
 * The station pushes cloud.status when it syncs, not when a local change joins the outbox: after
 * local changes the status is asked for again, at most this often, so "N changes to sync" moves.
 */
const CLOUD_REFRESH_MS = 1_500;
/** Every single-device assignment is a job too: the newest are enough for the Monitor. */
export const MAX_JOBS = 500;
export const MAX_CLOUD_LOG = 300;
/**
 * The station beats every 2 s (station.heartbeat): this long without any event means it is stuck
 * (a frozen process keeps the socket open, so the connection state alone still says "open").
 */
export const SILENT_AFTER_MS = 5_000;
const SILENCE_CHECK_MS = 1_000;

export interface StationSnapshot {
  connection: ConnectionState;
  /** When the station was last heard of, while it has been silent past SILENT_AFTER_MS; else null. */
  silentSince: number | null;
  /** The first full load finished (until then pages show a loading line, not an empty state). */
  loaded: boolean;
  loadError: string | null;
  status: StationStatus | null;
  profiles: readonly Profile[];
  packages: readonly Package[];
  devices: readonly Device[];
  onlineDevices: number;
  executions: readonly Execution[];
  /** Rollouts, newest first (open ones are also kept past MAX_JOBS). */
  jobs: readonly Job[];
  /** The running and paused jobs' figures, summed for the header (from `jobs` and `executions`). */
  jobSummary: JobSummary;
  protocolErrors: readonly ProtocolErrorEntry[];
  /** Null when the station has no cloud sync (or it could not say): "not configured". */
  cloud: CloudStatus | null;
  /** The sync log, newest first. */
  cloudLog: readonly CloudLogEntry[];
}

export type SliceName = keyof StationSnapshot;

/** The store's own collections, each marked when it changed and copied into the next snapshot. */
const COLLECTIONS = [
  'profiles',
  'packages',
  'devices',
  'executions',
  'jobs',
  'protocolErrors',
  'status',
  'cloud',
  'cloudLog',
] as const;
type Collection = (typeof COLLECTIONS)[number];

/** An update that reached a final state while the page watched (for the live region and toasts). */
export type FinishedListener = (execution: Execution) => void;
/** A job that reached an end or stopped by itself while the page watched. */
export type JobNoticeListener = (job: Job) => void;

/**
 * Everything the pages show, kept current from pushed events. Events land in plain maps at once
 * and reach React in one batch per FLUSH_INTERVAL_MS, each slice keeping its identity unless it
 * changed, so a page re-renders only for what it reads.
 */
export class StationStore {
  private snapshot: StationSnapshot = {
    connection: 'connecting',
    silentSince: null,
    loaded: false,
    loadError: null,
    status: null,
    profiles: [],
    packages: [],
    devices: [],
    onlineDevices: 0,
    executions: [],
    jobs: [],
    jobSummary: summariseJobs([], new Map(), 0),
    protocolErrors: [],
    cloud: null,
    cloudLog: [],
  };
  private readonly profiles = new Map<string, Profile>();
  private readonly packages = new Map<string, Package>();
  private readonly devices = new Map<string, Device>();
  private readonly executions = new Map<string, Execution>();
  private readonly jobs = new Map<string, Job>();
  private cloudLog: CloudLogEntry[] = [];
  private protocolErrors: ProtocolErrorEntry[] = [];
  private status: StationStatus | null = null;
  private cloud: CloudStatus | null = null;
  private readonly dirty = new Set<Collection>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;
  private cloudTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly silenceTimer: ReturnType<typeof setInterval>;
  private lastHeardAt = Date.now();
  private readonly listeners = new Set<() => void>();
  private readonly finishedListeners = new Set<FinishedListener>();
  private readonly jobListeners = new Set<JobNoticeListener>();
  /** Events that arrive while a reload is in flight, replayed over its results. */
  private pending: StationEvent[] | null = null;
  private loadGeneration = 0;
  private readonly stopEvents: () => void;
  private readonly stopConnection: () => void;

  constructor(private readonly transport: StationTransport) {
    this.stopEvents = transport.subscribe((event) => this.onEvent(event));
    this.stopConnection = transport.onConnection((state) => {
      this.lastHeardAt = Date.now();
      this.patch({ connection: state, silentSince: null });
      if (state === 'open') void this.reload();
    });
    this.silenceTimer = setInterval(() => this.checkSilence(), SILENCE_CHECK_MS);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): StationSnapshot => this.snapshot;

  onFinished(listener: FinishedListener): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  /** Jobs that complete, are canceled or pause themselves (not on reload: only live news). */
  onJobNotice(listener: JobNoticeListener): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  dispose(): void {
    this.stopEvents();
    this.stopConnection();
    clearTimeout(this.flushTimer);
    clearTimeout(this.statusTimer);
    clearTimeout(this.cloudTimer);
    clearInterval(this.silenceTimer);
  }

  /** Loads everything afresh: at start and after every reconnect (events may have been missed). */
  async reload(): Promise<void> {
    const generation = ++this.loadGeneration;
    this.pending = [];
    try {
      const t = this.transport;
      // A station without cloud sync (or one that fails to say) still shows everything else.
      const cloud = t.call('cloud.status', {}).catch(() => null);
      const cloudLog = t.call('cloud.log', { limit: MAX_CLOUD_LOG }).catch(() => []);
      const [status, profiles, packages, devices, executions, jobs, errors] = await Promise.all([
        t.call('station.status', {}),
        t.call('profiles.list', {}),
        t.call('packages.list', {}),
        t.call('devices.list', {}),
        t.call('executions.list', { limit: MAX_EXECUTIONS }),
        t.call('jobs.list', { limit: MAX_JOBS }),
        t.call('station.protocolErrors', { limit: 100 }),
      ]);
      if (generation !== this.loadGeneration) return;
      this.status = status;
      replaceAll(this.profiles, profiles);
      replaceAll(this.packages, packages);
      replaceAll(this.devices, devices);
      replaceAll(this.executions, executions);
      replaceAll(this.jobs, jobs);
      this.protocolErrors = errors;
      this.cloud = await cloud;
      this.cloudLog = [...(await cloudLog)].sort((a, b) => b.id - a.id);
      this.markAll();
      const replay = this.pending;
      this.pending = null;
      for (const event of replay) this.apply(event, false);
      this.snapshot = { ...this.snapshot, loaded: true, loadError: null };
      this.flush();
    } catch (error) {
      if (generation !== this.loadGeneration) return;
      const replay = this.pending ?? [];
      this.pending = null;
      for (const event of replay) this.apply(event, false);
      this.patch({ loadError: messageOf(error) });
    }
  }

  /** Results of the page's own calls are shown at once rather than at the next flush. */
  putPackage(pkg: Package): void {
    this.packages.set(pkg.id, pkg);
    this.markAndFlush('packages');
  }
  removePackage(id: string): void {
    this.packages.delete(id);
    this.markAndFlush('packages');
  }
  putProfile(profile: Profile): void {
    this.profiles.set(profile.id, profile);
    this.markAndFlush('profiles');
  }
  putDevice(device: Device): void {
    this.devices.set(device.id, device);
    this.markAndFlush('devices');
  }
  putExecution(execution: Execution): void {
    this.mergeExecution(execution, false);
    this.markAndFlush('executions');
  }
  putJob(job: Job): void {
    this.jobs.set(job.id, job);
    this.markAndFlush('jobs');
  }
  /** After our own station call (the site network switch), so the page doesn't wait for the event. */
  putStatus(status: StationStatus): void {
    this.status = status;
    this.markAndFlush('status');
  }
  /** After our own cloud call (sign-in, sync), so the page doesn't wait for the event. */
  putCloud(cloud: CloudStatus): void {
    this.cloud = cloud;
    this.markAndFlush('cloud');
  }
  /** The cloud's status afresh, after our own sync action (a failure keeps the last one). */
  async refreshCloud(): Promise<void> {
    try {
      this.putCloud(await this.transport.call('cloud.status', {}));
    } catch {
      // The next event or reload brings it.
    }
  }
  /** A device changed by our own call (assign/unassign): fetch it rather than guess. */
  async refreshDevice(id: string): Promise<void> {
    const device = await this.transport.call('devices.get', { id });
    const { clientAttributes: _c, sharedAttributes: _s, latestTelemetry: _t, ...plain } = device;
    this.putDevice(plain);
  }

  private checkSilence(): void {
    if (this.snapshot.connection !== 'open' || this.snapshot.silentSince !== null) return;
    if (Date.now() - this.lastHeardAt > SILENT_AFTER_MS)
      this.patch({ silentSince: this.lastHeardAt });
  }

  private onEvent(event: StationEvent): void {
    this.lastHeardAt = Date.now();
    if (this.snapshot.silentSince !== null) this.patch({ silentSince: null });
    if (event.type === 'station.heartbeat') return;
    if (this.pending) {
      this.pending.push(event);
      return;
    }
    this.apply(event, true);
    this.scheduleFlush();
  }

  private apply(event: StationEvent, live: boolean): void {
    switch (event.type) {
      case 'device.changed':
        this.devices.set(event.payload.id, event.payload);
        this.dirty.add('devices');
        this.scheduleCloudRefresh();
        break;
      case 'device.connection': {
        const device = this.devices.get(event.payload.deviceId);
        if (device) {
          this.devices.set(device.id, {
            ...device,
            online: event.payload.online,
            lastSeenAt: Math.max(device.lastSeenAt ?? 0, event.payload.at),
          });
          this.dirty.add('devices');
        }
        // Sessions and connected counts live in the status; fetched once things settle.
        this.scheduleStatusRefresh();
        break;
      }
      case 'executions.changed':
        for (const execution of event.payload) this.mergeExecution(execution, live);
        this.dirty.add('executions');
        // Devices report telemetry as they update: it waits for the cloud too.
        this.scheduleCloudRefresh();
        break;
      case 'package.changed':
        this.packages.set(event.payload.id, event.payload);
        this.dirty.add('packages');
        this.scheduleCloudRefresh();
        break;
      case 'profile.changed':
        this.profiles.set(event.payload.id, event.payload);
        this.dirty.add('profiles');
        break;
      case 'package.removed':
        this.packages.delete(event.payload.id);
        this.dirty.add('packages');
        this.scheduleCloudRefresh();
        break;
      case 'protocol.error':
        if (!this.protocolErrors.some((e) => e.id === event.payload.id)) {
          this.protocolErrors = [event.payload, ...this.protocolErrors].slice(
            0,
            MAX_PROTOCOL_ERRORS,
          );
          this.dirty.add('protocolErrors');
        }
        break;
      case 'station.status':
        this.status = event.payload;
        this.dirty.add('status');
        break;
      case 'jobs.changed':
        for (const job of event.payload) {
          const before = this.jobs.get(job.id);
          this.jobs.set(job.id, job);
          if (live && before && before.status !== job.status && isJobNotice(job))
            for (const listener of this.jobListeners) listener(job);
        }
        this.dirty.add('jobs');
        break;
      case 'cloud.status':
        this.cloud = event.payload;
        this.dirty.add('cloud');
        break;
      case 'cloud.log':
        if (!this.cloudLog.some((e) => e.id === event.payload.id)) {
          this.cloudLog = [event.payload, ...this.cloudLog].slice(0, MAX_CLOUD_LOG);
          this.dirty.add('cloudLog');
        }
        break;
    }
  }

  private mergeExecution(execution: Execution, live: boolean): void {
    const before = this.executions.get(execution.id);
    // A replayed or late event must not roll progress back.
    if (before && before.updatedAt > execution.updatedAt) return;
    this.executions.set(execution.id, execution);
    const justFinished =
      FINAL_STATES.has(execution.state) && (!before || !FINAL_STATES.has(before.state));
    if (live && justFinished) for (const listener of this.finishedListeners) listener(execution);
  }

  private scheduleStatusRefresh(): void {
    if (this.statusTimer !== undefined) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      this.transport.call('station.status', {}).then(
        (status) => {
          this.status = status;
          this.markAndFlush('status');
        },
        () => undefined, // the header keeps the last status; a reconnect reloads it
      );
    }, 1_000);
  }

  private scheduleCloudRefresh(): void {
    // Nothing to count while no cloud was ever set up (the header says "Not configured").
    if (this.cloudTimer !== undefined || !this.cloud?.url) return;
    this.cloudTimer = setTimeout(() => {
      this.cloudTimer = undefined;
      this.transport.call('cloud.status', {}).then(
        (cloud) => {
          this.cloud = cloud;
          this.markAndFlush('cloud');
        },
        () => undefined, // the page keeps the last status; the next event or reload corrects it
      );
    }, CLOUD_REFRESH_MS);
  }

  private scheduleFlush(): void {
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  private markAll(): void {
    for (const collection of COLLECTIONS) this.dirty.add(collection);
  }

  private markAndFlush(collection: Collection): void {
    this.dirty.add(collection);
    this.flush();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.dirty.size === 0) return;
    const next: StationSnapshot = { ...this.snapshot };
    if (this.dirty.has('profiles'))
      next.profiles = [...this.profiles.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (this.dirty.has('packages'))
      next.packages = [...this.packages.values()].sort((a, b) => b.createdAt - a.createdAt);
    if (this.dirty.has('devices')) {
      next.devices = [...this.devices.values()];
      next.onlineDevices = next.devices.reduce((n, d) => (d.online ? n + 1 : n), 0);
    }
    if (this.dirty.has('executions')) {
      let list = [...this.executions.values()].sort((a, b) => b.createdAt - a.createdAt);
      if (list.length > MAX_EXECUTIONS) {
        for (const old of list.slice(MAX_EXECUTIONS)) this.executions.delete(old.id);
        list = list.slice(0, MAX_EXECUTIONS);
      }
      next.executions = list;
    }
    if (this.dirty.has('jobs')) next.jobs = this.listJobs();
    // The header's figures are the job rows' own (one source), from jobs and their updates.
    if (this.dirty.has('executions') || this.dirty.has('jobs'))
      next.jobSummary = summariseJobs(next.jobs, executionsByJob(next.executions), Date.now());
    if (this.dirty.has('protocolErrors')) next.protocolErrors = this.protocolErrors;
    if (this.dirty.has('status')) next.status = this.status;
    if (this.dirty.has('cloud')) next.cloud = this.cloud;
    if (this.dirty.has('cloudLog')) next.cloudLog = this.cloudLog;
    this.dirty.clear();
    this.snapshot = next;
    this.emit();
  }

  /** Newest first; old finished jobs are forgotten past MAX_JOBS, open ones never are. */
  private listJobs(): Job[] {
    const list = [...this.jobs.values()].sort((a, b) => b.createdAt - a.createdAt);
    if (list.length <= MAX_JOBS) return list;
    const kept = list.filter((job, index) => index < MAX_JOBS || isOpenJob(job));
    const keep = new Set(kept);
    for (const job of list) if (!keep.has(job)) this.jobs.delete(job.id);
    return kept;
  }

  private patch(part: Partial<StationSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...part };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Worth telling: the end of a job, or a pause the technician didn't ask for. */
function isJobNotice(job: Job): boolean {
  if (job.status === 'COMPLETED' || job.status === 'CANCELED') return true;
  return job.status === 'PAUSED' && job.statusReason?.startsWith('Auto-paused') === true;
}

function replaceAll<T extends { id: string }>(map: Map<string, T>, items: readonly T[]): void {
  map.clear();
  for (const item of items) map.set(item.id, item);
}
