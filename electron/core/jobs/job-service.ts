import type {
  AssignmentSource,
  Execution,
  Job,
  JobPolicy,
  JobTarget,
  Package,
} from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { guarded } from '../guarded';
import type { OtaService } from '../ota/ota-service';
import type { DeviceIdentity, DeviceRepository } from '../repositories/devices';
import type { ExecutionRepository } from '../repositories/executions';
import type { JobRepository } from '../repositories/jobs';
import type { PackageRepository } from '../repositories/packages';
import type { StationEvents } from '../station-events';
import type { Db } from '../storage/database';
import { SINGLE_ASSIGNMENT_POLICY } from './job-policy';
import { JobScheduler } from './job-scheduler';

export interface JobRequest {
  packageId: string;
  deviceIds?: string[] | undefined;
  profileId?: string | undefined;
  policy: JobPolicy;
  startAt?: number | undefined;
}

const TICK_MS = 1000;
const PAUSED_BY_TECHNICIAN = 'Paused by the technician';

/**
 * Rollouts: a package to one device, a selection, or a whole device profile, with the site's
 * policy (concurrency, time-out, retries, auto-pause, start time). State lives in SQLite; the
 * scheduler only reads it, so a restarted station carries on where it stopped.
 */
export class JobService {
  private readonly scheduler: JobScheduler;
  private timer: NodeJS.Timeout | undefined;
  private tickQueued = false;
  private stopped = false;
  /** Jobs to step at the next tick: touched by a device or an action since the last one. */
  private readonly dirtyJobs = new Set<string>();
  private readonly changedJobs = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly repos: {
      jobs: JobRepository;
      executions: ExecutionRepository;
      devices: DeviceRepository;
      packages: PackageRepository;
    },
    private readonly ota: OtaService,
    private readonly events: StationEvents,
    isOnline: (deviceId: string) => boolean,
  ) {
    this.scheduler = new JobScheduler(repos.jobs, repos.executions, ota, isOnline, (jobId) =>
      this.changedJobs.add(jobId),
    );
    // A device finishing a download frees a slot: react now, not at the next tick.
    ota.onStateChange = (executionId) => {
      const jobId = this.repos.executions.jobIdOf(executionId);
      if (!jobId) return;
      this.dirtyJobs.add(jobId);
      this.changedJobs.add(jobId);
      this.tickSoon();
    };
  }

  /** Picks up every open job (after a restart), then ticks every second. */
  start(): void {
    for (const id of this.repos.jobs.openJobIds()) this.dirtyJobs.add(id);
    this.runTick();
    this.timer = setInterval(
      guarded('the job tick', () => this.runTick()),
      TICK_MS,
    );
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  create(request: JobRequest, now = Date.now()): Job {
    const pkg = this.repos.packages.get(request.packageId);
    const devices = this.targetDevices(request);
    const deviceIds = devices.map((d) => d.id);
    const target: JobTarget = request.profileId
      ? { kind: 'PROFILE', profileId: request.profileId, profileName: pkg.profileName, deviceIds }
      : { kind: 'DEVICES', deviceIds };
    return this.launch(pkg, devices, target, request.policy, request.startAt ?? now, 'DEVICE', now);
  }

  /**
   * A profile's own package, newly assigned (or sent again), to the devices that follow the
   * profile: one job, whose devices keep no assignment of their own.
   */
  startProfileJob(
    pkg: Package,
    devices: readonly DeviceIdentity[],
    policy: JobPolicy,
    now = Date.now(),
  ): Job {
    const target: JobTarget = {
      kind: 'PROFILE',
      profileId: pkg.profileId,
      profileName: pkg.profileName,
      deviceIds: devices.map((d) => d.id),
      profilePackage: true,
    };
    return this.launch(pkg, devices, target, policy, now, 'PROFILE', now);
  }

  /**
   * A device that has come to follow its profile's package (added to the profile, moved into
   * it, or its own assignment removed) gets it: in the profile's open job for that package if
   * there is one, else in a job of its own, as a single assignment is.
   */
  followProfile(deviceId: string, pkg: Package, now = Date.now()): void {
    const device = this.repos.devices.identity(deviceId);
    if (!device) return;
    const jobId = this.repos.jobs.openProfilePackageJob(pkg.profileId, pkg.id);
    if (!jobId) {
      this.startProfileJob(pkg, [device], SINGLE_ASSIGNMENT_POLICY, now);
      return;
    }
    this.ota.assertAssignable(device, pkg);
    this.db.transaction(() => this.ota.queue(deviceId, pkg, jobId, now, 'PROFILE'))();
    this.dirtyJobs.add(jobId);
    this.changedJobs.add(jobId);
    this.runTick(now);
  }

  /** Un-assigns a device's own package; the profile's package it falls back to is delivered. */
  unassign(deviceId: string, type: OtaPackageType, now = Date.now()): void {
    const fallback = this.ota.unassign(deviceId, type, now);
    if (fallback) this.followProfile(deviceId, fallback, now);
  }

  /**
   * Whether the device is getting the package now, or got it in its latest delivery: assigning
   * it again then changes nothing, as in the console (after a failure it is sent again).
   */
  hasDelivery(deviceId: string, pkg: Package): boolean {
    const { executions } = this.repos;
    const active = executions.active(deviceId, pkg.type);
    if (active) return active.packageId === pkg.id;
    const latest = executions.latest(deviceId, pkg.type);
    return latest?.packageId === pkg.id && latest.state === 'UPDATED';
  }

  private launch(
    pkg: Package,
    devices: readonly DeviceIdentity[],
    target: JobTarget,
    policy: JobPolicy,
    startAt: number,
    from: AssignmentSource,
    now: number,
  ): Job {
    for (const device of devices) this.ota.assertAssignable(device, pkg);
    const jobId = this.db.transaction(() => {
      const id = this.repos.jobs.insert(
        {
          packageId: pkg.id,
          type: pkg.type,
          packageTitle: pkg.title,
          packageVersion: pkg.version,
          target,
          policy,
          startAt,
        },
        now,
      );
      for (const device of devices) this.ota.queue(device.id, pkg, id, now, from);
      return id;
    })();
    this.dirtyJobs.add(jobId);
    this.changedJobs.add(jobId);
    this.runTick(now);
    return this.repos.jobs.get(jobId);
  }

  /** The console's "Assign firmware" + "Apply" for one device: a job of one. */
  assignOne(deviceId: string, packageId: string, now = Date.now()): Execution {
    const { executions, devices } = this.repos;
    const pkg = this.repos.packages.get(packageId);
    const latest = executions.latest(deviceId, pkg.type);
    const assignment = devices.assignment(deviceId, pkg.type);
    if (latest && this.hasDelivery(deviceId, pkg) && assignment?.packageId === pkg.id) {
      // Saving a device with the package it already gets (or runs) changes nothing, as in the
      // console; after a failure the same package is sent again, which the console cannot do.
      // Got from its profile, the package becomes its own: a later profile change passes it by.
      if (assignment.from === 'PROFILE') {
        const device = devices.identity(deviceId);
        if (device) this.ota.assertAssignable(device, pkg);
        this.db.transaction(() => this.ota.assignOwn(deviceId, pkg, now))();
      }
      return executions.get(latest.id) as Execution;
    }
    const job = this.create(
      { packageId, deviceIds: [deviceId], policy: SINGLE_ASSIGNMENT_POLICY },
      now,
    );
    const execution = executions.listByJob(job.id)[0];
    if (!execution) throw new ApiError('INTERNAL', 'The assignment created no execution');
    return execution;
  }

  pause(id: string, now = Date.now()): Job {
    const job = this.repos.jobs.get(id);
    if (job.status !== 'RUNNING' && job.status !== 'SCHEDULED') {
      throw new ApiError(
        'CONFLICT',
        `Job ${id} is ${job.status}; only a running or scheduled job can be paused`,
      );
    }
    this.repos.jobs.setStatus(id, 'PAUSED', PAUSED_BY_TECHNICIAN, now);
    return this.publish(id);
  }

  resume(id: string, now = Date.now()): Job {
    const job = this.repos.jobs.get(id);
    if (job.status !== 'PAUSED')
      throw new ApiError('CONFLICT', `Job ${id} is ${job.status}, not paused`);
    this.db.transaction(() => {
      // Auto-paused for failures, it would halt again at once: resuming means "go on anyway".
      if (job.statusReason !== PAUSED_BY_TECHNICIAN) this.repos.jobs.clearHaltThresholds(id);
      this.repos.jobs.setStatus(id, job.startedAt ? 'RUNNING' : 'SCHEDULED', null, now);
    })();
    this.dirtyJobs.add(id);
    this.changedJobs.add(id);
    this.runTick(now);
    return this.repos.jobs.get(id);
  }

  /**
   * Devices not yet started are un-assigned; devices being told or downloading are stopped and
   * un-assigned; devices already installing (DOWNLOADED and after) are left to finish, as are
   * finished ones.
   */
  cancel(id: string, now = Date.now()): Job {
    const job = this.repos.jobs.get(id);
    if (job.status === 'COMPLETED' || job.status === 'CANCELED') {
      throw new ApiError('CONFLICT', `Job ${id} is already ${job.status}`);
    }
    this.repos.jobs.setStatus(id, 'CANCELED', 'Canceled by the technician', now);
    const fallbacks: { deviceId: string; pkg: Package }[] = [];
    for (const e of this.repos.executions.inJob(id, ['QUEUED', 'INITIATED', 'DOWNLOADING'])) {
      const pkg = this.ota.cancel(e.id, now, 'Job canceled', true);
      if (pkg) fallbacks.push({ deviceId: e.deviceId, pkg });
    }
    const canceled = this.publish(id);
    // Un-assigned, a device gets its profile's package: ThingsBoard's rule, the same as ever.
    for (const { deviceId, pkg } of fallbacks) this.followProfile(deviceId, pkg, now);
    return canceled;
  }

  /** Sends the package again to one device whose delivery failed or timed out. */
  retryExecution(executionId: string, now = Date.now()): Execution {
    const execution = this.repos.executions.get(executionId);
    if (!execution) throw new ApiError('NOT_FOUND', `Execution ${executionId} does not exist`);
    if (execution.state !== 'FAILED' && execution.state !== 'TIMED_OUT') {
      throw new ApiError(
        'CONFLICT',
        `Only a FAILED or TIMED_OUT update can be retried (this one is ${execution.state})`,
      );
    }
    if (
      this.repos.devices.assignedPackageId(execution.deviceId, execution.type) !==
      execution.packageId
    ) {
      throw new ApiError('CONFLICT', `${execution.deviceName} has another package assigned now`);
    }
    this.ota.requeue(executionId, now, 'Retry requested by the technician');
    if (execution.jobId) {
      const job = this.repos.jobs.find(execution.jobId);
      if (job && (job.status === 'COMPLETED' || job.status === 'CANCELED'))
        this.repos.jobs.setStatus(job.id, 'RUNNING', null, now);
      this.dirtyJobs.add(execution.jobId);
      this.changedJobs.add(execution.jobId);
    }
    this.runTick(now);
    return this.repos.executions.get(executionId) as Execution;
  }

  /**
   * "Retry all failed" of a job: every device whose delivery FAILED or TIMED_OUT gets the
   * package again, in one step (one more attempt each), as long as it is still assigned it.
   */
  retryFailed(jobId: string, now = Date.now()): Job {
    const job = this.repos.jobs.get(jobId);
    const failed = this.repos.executions
      .inJob(jobId, ['FAILED', 'TIMED_OUT'])
      .filter(
        (e) =>
          this.repos.devices.assignedPackageId(e.deviceId, job.type) === job.packageId &&
          job.packageId !== null,
      );
    if (failed.length === 0)
      throw new ApiError('CONFLICT', `Job ${jobName(job)} has no failed device to retry`);
    this.db.transaction(() => {
      for (const e of failed) this.ota.requeue(e.id, now, 'Retry of all failed, by the technician');
      if (job.status === 'COMPLETED' || job.status === 'CANCELED')
        this.repos.jobs.setStatus(jobId, 'RUNNING', null, now);
    })();
    this.dirtyJobs.add(jobId);
    this.changedJobs.add(jobId);
    this.runTick(now);
    return this.repos.jobs.get(jobId);
  }

  private targetDevices(request: JobRequest): DeviceIdentity[] {
    const { devices } = this.repos;
    if (request.profileId) {
      const list = devices.identitiesInProfile(request.profileId);
      if (list.length === 0)
        throw new ApiError('BAD_REQUEST', 'This device profile has no devices', {
          profileId: 'has no devices',
        });
      return list;
    }
    const ids = [...new Set(request.deviceIds ?? [])];
    if (ids.length === 0)
      throw new ApiError('BAD_REQUEST', 'Choose at least one device', { deviceIds: 'is empty' });
    return ids.map((id) => {
      const device = devices.identity(id);
      if (!device)
        throw new ApiError('NOT_FOUND', `Device ${id} does not exist`, {
          deviceIds: `${id} not found`,
        });
      return device;
    });
  }

  private tickSoon(): void {
    if (this.tickQueued) return;
    this.tickQueued = true;
    setImmediate(
      guarded('the job tick', () => {
        this.tickQueued = false;
        this.runTick();
      }),
    );
  }

  private runTick(now = Date.now()): void {
    if (this.stopped) return;
    for (const id of this.repos.jobs.dueJobIds(now)) this.dirtyJobs.add(id);
    const ids = [...this.dirtyJobs];
    this.dirtyJobs.clear();
    for (const id of ids) {
      try {
        this.scheduler.step(id, now);
      } catch (error) {
        // The next tick tries again; a scheduling error must not take the station down.
        this.dirtyJobs.add(id);
        console.error(`job ${id}:`, error);
      }
    }
    this.flushChanges();
  }

  private flushChanges(): void {
    if (this.changedJobs.size === 0) return;
    const ids = [...this.changedJobs];
    this.changedJobs.clear();
    if (!this.events.hasListeners) return;
    this.events.emit(
      'jobs.changed',
      ids.map((id) => this.repos.jobs.get(id)),
    );
  }

  private publish(id: string): Job {
    this.changedJobs.add(id);
    this.flushChanges();
    return this.repos.jobs.get(id);
  }
}

function jobName(job: Job): string {
  return `${job.packageTitle} ${job.packageVersion}`;
}
