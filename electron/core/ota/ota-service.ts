import type { AssignmentSource, Package } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import { slotOf } from '../../../shared/api/slots';
import {
  otaKeys,
  type OtaPackageType,
  unassignDeletedKeys,
} from '../../../shared/protocol/ota-keys';
import { isDeviceReportedState, type OtaState } from '../../../shared/protocol/states';
import type { SessionRegistry } from '../device-api/session-registry';
import type { AttributeRepository } from '../repositories/attributes';
import type { DeviceIdentity, DeviceRepository } from '../repositories/devices';
import type { ExecutionRepository } from '../repositories/executions';
import { enqueueOutbox } from '../repositories/outbox';
import type { PackageRepository } from '../repositories/packages';
import type { TelemetryEntry, TelemetryRepository } from '../repositories/telemetry';
import type { Db } from '../storage/database';
import type { ChangeNotifier } from './change-notifier';
import { failureText } from './checksum-failure';

export interface OtaRepositories {
  devices: DeviceRepository;
  packages: PackageRepository;
  executions: ExecutionRepository;
  attributes: AttributeRepository;
  telemetry: TelemetryRepository;
}

const TYPES: readonly OtaPackageType[] = ['FIRMWARE', 'SOFTWARE'];
/** A device that reports these after its execution ended has come back to it. */
const REVIVABLE: ReadonlySet<OtaState> = new Set(['TIMED_OUT', 'FAILED']);

/**
 * The delivery of one package to one device, as the reference server does it
 * (docs/device-protocol.md#firmware-assignment): QUEUED, then INITIATED with the shared attributes, then the states
 * the device reports. Beyond it: an execution with its history per delivery, re-delivery
 * (retry), time-outs, and a check that UPDATED really means the target version runs. Jobs
 * (electron/core/jobs) decide when each step happens.
 */
export class OtaService {
  /** Called after an execution changed state, so the job scheduler can react at once. */
  onStateChange: (executionId: string) => void = () => undefined;

  constructor(
    private readonly db: Db,
    private readonly repos: OtaRepositories,
    private readonly sessions: SessionRegistry,
    private readonly notifier: ChangeNotifier,
  ) {}

  assertAssignable(device: DeviceIdentity, pkg: Package): void {
    if (pkg.profileId !== device.profileId) {
      throw new ApiError(
        'BAD_REQUEST',
        `${pkg.title} ${pkg.version} is a package for device profile "${pkg.profileName}"; device ${device.name} has another profile`,
        { packageId: 'belongs to another device profile' },
      );
    }
    if (pkg.status === 'CORRUPT') {
      throw new ApiError(
        'CONFLICT',
        `${pkg.title} ${pkg.version} is corrupt in the cache (${pkg.statusDetail ?? 'hash mismatch'}); add it again`,
      );
    }
  }

  /**
   * QUEUED: the device is assigned the package and waits for its turn. Runs inside the caller's
   * transaction. A device that already runs the target is done at once. `from` PROFILE: the
   * package is its profile's, which the device follows; its own assignment stays empty.
   */
  queue(
    deviceId: string,
    pkg: Package,
    jobId: string | null,
    now: number,
    from: AssignmentSource = 'DEVICE',
  ): string {
    const { executions } = this.repos;
    const keys = otaKeys(pkg.type);
    const active = executions.active(deviceId, pkg.type);
    if (active) {
      executions.transition(active.id, 'CANCELED', now, `Replaced by ${pkg.title} ${pkg.version}`);
      // Its job may have had no other open execution: it must learn now, not at a restart.
      this.changed(active.id, deviceId);
    }
    if (from === 'DEVICE') this.assignOwn(deviceId, pkg, now);
    const id = executions.create(
      {
        jobId,
        deviceId,
        packageId: pkg.id,
        type: pkg.type,
        packageTitle: pkg.title,
        packageVersion: pkg.version,
        size: pkg.size,
      },
      'QUEUED',
      now,
    );
    const target: Record<string, unknown> = {
      [keys.targetTitle]: pkg.title,
      [keys.targetVersion]: pkg.version,
    };
    if (pkg.tag) target[keys.targetTag] = pkg.tag;
    target[keys.targetTs] = now;
    this.repos.telemetry.insert(deviceId, [
      { ts: now, values: { ...target, [keys.state]: 'QUEUED' } },
    ]);
    if (this.alreadyRuns(deviceId, pkg)) {
      executions.transition(id, 'UPDATED', now + 1, `Already runs ${pkg.title} ${pkg.version}`);
    }
    this.changed(id, deviceId);
    return id;
  }

  /** INITIATED: the shared attributes that tell the device what to fetch, pushed to it. */
  initiate(executionId: string, now: number): void {
    const execution = this.repos.executions.get(executionId);
    const pkg = execution?.packageId ? this.repos.packages.find(execution.packageId) : undefined;
    if (!execution || !pkg) return;
    const keys = otaKeys(pkg.type);
    const removed = pkg.tag ? [keys.url] : [keys.tag, keys.url];
    const attempt = execution.attempts > 1 ? `Attempt ${execution.attempts}` : null;
    this.db.transaction(() => {
      this.repos.executions.transition(executionId, 'INITIATED', now, attempt);
      // One millisecond after QUEUED: the time series keeps one value per key and timestamp, so
      // at the same time INITIATED would overwrite QUEUED and the history would lose a state.
      this.repos.telemetry.insert(execution.deviceId, [
        { ts: now + 1, values: { [keys.state]: 'INITIATED' } },
      ]);
      this.repos.attributes.delete(execution.deviceId, 'SHARED', removed);
      this.repos.attributes.set(execution.deviceId, 'SHARED', sharedAttributesOf(pkg, now), now);
    })();
    // A fresh fw_ts in every push: a device written for ThingsBoard acts on the update even
    // when title and version are the ones it failed with, which is what makes a retry work.
    this.sessions.pushSharedAttributes(execution.deviceId, { deleted: removed });
    this.sessions.pushSharedAttributes(execution.deviceId, sharedAttributesOf(pkg, now));
    this.changed(executionId, execution.deviceId);
  }

  /** Sends the same package again: back to QUEUED with one more attempt. */
  requeue(executionId: string, now: number, why: string): void {
    const execution = this.repos.executions.get(executionId);
    if (!execution) return;
    // Progress of the attempt that just failed may still wait for the notifier's next flush; it
    // must not land on the new attempt's zero.
    this.notifier.forgetBytes(executionId);
    this.repos.executions.requeue(executionId, now, why);
    this.changed(executionId, execution.deviceId);
  }

  timeOut(executionId: string, now: number, detail: string): void {
    const execution = this.repos.executions.get(executionId);
    if (!execution) return;
    this.repos.executions.transition(executionId, 'TIMED_OUT', now, null, detail);
    this.changed(executionId, execution.deviceId);
  }

  /**
   * Makes a package the device's own assignment (the cloud learns it); nothing is sent to the
   * device. Runs inside the caller's transaction.
   */
  assignOwn(deviceId: string, pkg: Package, now: number): void {
    this.repos.devices.setAssignedPackage(deviceId, pkg.type, pkg.id);
    enqueueOutbox(this.db, {
      kind: 'assignment.set',
      entityId: deviceId,
      payload: { type: pkg.type, packageId: pkg.id },
      now,
    });
  }

  /**
   * Ends an execution as CANCELED; `unassign` also takes the package back from the device: its
   * own assignment is cleared (see unassign: the profile's package it falls back to, if any, is
   * returned for the caller to deliver), and a package it follows from its profile is withdrawn
   * from it (the profile keeps it).
   */
  cancel(executionId: string, now: number, reason: string, unassign: boolean): Package | null {
    const execution = this.repos.executions.get(executionId);
    if (!execution) return null;
    const assignment = unassign
      ? this.repos.devices.assignment(execution.deviceId, execution.type)
      : undefined;
    if (execution.packageId !== null && assignment?.packageId === execution.packageId) {
      const fallback =
        assignment.from === 'DEVICE'
          ? this.unassign(execution.deviceId, execution.type, now, reason)
          : null;
      // Still open: the device keeps the package through its profile. Stopped; the profile keeps it.
      if (this.repos.executions.active(execution.deviceId, execution.type)?.id === executionId)
        this.withdraw(execution.deviceId, execution.type, now, reason);
      return fallback;
    }
    this.repos.executions.transition(executionId, 'CANCELED', now, reason);
    this.changed(executionId, execution.deviceId);
    return null;
  }

  /**
   * Clears the device's own assignment of a slot, as ThingsBoard does for a device saved with no
   * package: the device falls back to its profile's. That package is returned when it differs
   * from the one taken away, for the caller to deliver (a job); with none on the profile either,
   * the package is withdrawn (shared attributes deleted, deletion pushed). A device without a
   * package of its own already follows its profile: nothing changes.
   */
  unassign(
    deviceId: string,
    type: OtaPackageType,
    now = Date.now(),
    reason = 'Un-assigned',
  ): Package | null {
    const assignment = this.repos.devices.assignment(deviceId, type);
    if (!assignment) throw new ApiError('NOT_FOUND', `Device ${deviceId} does not exist`);
    const { ownPackageId, profilePackageId } = assignment;
    if (ownPackageId === null && profilePackageId !== null) return null;
    const clearOwn = () => {
      this.repos.devices.setAssignedPackage(deviceId, type, null);
      enqueueOutbox(this.db, {
        kind: 'assignment.cleared',
        entityId: deviceId,
        payload: { type },
        now,
      });
    };
    if (profilePackageId === null) {
      this.withdraw(deviceId, type, now, reason, clearOwn);
      return null;
    }
    if (profilePackageId === ownPackageId) {
      // The profile's package: the device keeps it, and its delivery, now from there.
      this.db.transaction(clearOwn)();
      this.notifier.deviceChanged(deviceId);
      return null;
    }
    // Its delivery ends here; the profile's package's attributes follow (nothing withdrawn).
    const active = this.repos.executions.active(deviceId, type);
    this.db.transaction(() => {
      clearOwn();
      if (active) this.repos.executions.transition(active.id, 'CANCELED', now, reason);
    })();
    if (active) this.changed(active.id, deviceId);
    else this.notifier.deviceChanged(deviceId);
    return this.repos.packages.find(profilePackageId) ?? null;
  }

  /**
   * Takes a slot's package back from a device: its shared attributes are deleted (the deletion
   * pushed) and its delivery canceled. `alsoInTransaction` is written in the same transaction.
   */
  withdraw(
    deviceId: string,
    type: OtaPackageType,
    now: number,
    reason: string,
    alsoInTransaction?: () => void,
  ): void {
    const { executions, attributes } = this.repos;
    const deleted = unassignDeletedKeys(type);
    const active = executions.active(deviceId, type);
    this.db.transaction(() => {
      alsoInTransaction?.();
      attributes.delete(deviceId, 'SHARED', deleted);
      if (active) executions.transition(active.id, 'CANCELED', now, reason);
    })();
    this.sessions.pushSharedAttributes(deviceId, { deleted });
    if (active) this.changed(active.id, deviceId);
    else this.notifier.deviceChanged(deviceId);
  }

  /**
   * Device telemetry: `fw_state`/`sw_state` move the execution, `current_*` update the device.
   * Entries are applied in timestamp order, with the device's own times in the history.
   */
  onTelemetry(device: DeviceIdentity, entries: readonly TelemetryEntry[]): void {
    const sorted = [...entries].sort((a, b) => a.ts - b.ts);
    for (const type of TYPES) {
      const keys = otaKeys(type);
      for (const entry of sorted) {
        const values = entry.values;
        const current = this.recordCurrent(device.id, type, values);
        const state = values[keys.state];
        if (isDeviceReportedState(state)) {
          const error =
            typeof values[keys.error] === 'string' ? (values[keys.error] as string) : null;
          this.applyDeviceState(device.id, type, state, error, entry.ts);
        }
        if (current) this.completeIfRunsTarget(device.id, type, 'telemetry', entry.ts);
      }
    }
  }

  /** Client attributes may carry `current_*` too (some firmwares report them so). */
  onClientAttributes(device: DeviceIdentity, values: Record<string, unknown>, now: number): void {
    for (const type of TYPES) {
      if (this.recordCurrent(device.id, type, values))
        this.completeIfRunsTarget(device.id, type, 'attributes', now);
    }
  }

  /** Stores the `current_*` title and version found in `values`; true if there were any. */
  private recordCurrent(
    deviceId: string,
    type: OtaPackageType,
    values: Record<string, unknown>,
  ): boolean {
    const keys = otaKeys(type);
    const current: { title?: string; version?: string } = {};
    if (typeof values[keys.currentTitle] === 'string')
      current.title = values[keys.currentTitle] as string;
    if (typeof values[keys.currentVersion] === 'string')
      current.version = values[keys.currentVersion] as string;
    if (current.title === undefined && current.version === undefined) return false;
    this.repos.devices.setCurrentPackage(deviceId, type, current);
    this.notifier.deviceChanged(deviceId);
    return true;
  }

  /**
   * A device that runs its execution's target has updated, even if its UPDATED was lost (it
   * dropped while rebooting): the execution completes, and nothing is sent to it again. One that
   * had already timed out or failed for it completes too, if the package is still its own.
   */
  private completeIfRunsTarget(
    deviceId: string,
    type: OtaPackageType,
    via: 'telemetry' | 'attributes',
    at: number,
  ): void {
    const { executions, devices } = this.repos;
    const active = executions.active(deviceId, type);
    const latest = active ? undefined : executions.latest(deviceId, type);
    const execution =
      active ??
      (latest &&
      REVIVABLE.has(latest.state) &&
      devices.assignedPackageId(deviceId, type) === latest.packageId
        ? latest
        : undefined);
    if (!execution) return;
    const current = devices.currentPackage(deviceId, type);
    if (current?.title !== execution.packageTitle || current.version !== execution.packageVersion)
      return;
    const detail = `The device reports ${current.title} ${current.version} as current (${via}); its UPDATED was not received`;
    if (active) executions.transition(execution.id, 'UPDATED', at, detail);
    else executions.reopen(execution.id, 'UPDATED', at, detail);
    this.changed(execution.id, deviceId);
  }

  /** The execution whose download a chunk request feeds, if one is open for that package. */
  activeExecutionFor(
    deviceId: string,
    type: OtaPackageType,
    packageId: string,
  ): string | undefined {
    const active = this.repos.executions.active(deviceId, type);
    return active && active.packageId === packageId ? active.id : undefined;
  }

  private applyDeviceState(
    deviceId: string,
    type: OtaPackageType,
    reported: OtaState,
    error: string | null,
    at: number,
  ): void {
    const { executions } = this.repos;
    const active = executions.active(deviceId, type);
    if (!active) {
      this.revive(deviceId, type, reported, at);
      return;
    }
    // A QUEUED device has not been told anything yet; what it reports is about something else.
    if (active.state === reported || active.state === 'QUEUED') return;
    // The bytes it was served may still wait for the notifier's next flush: an attempt that
    // ends now must end with them.
    this.notifier.writeBytes(active.id);
    let state = reported;
    let detail: string | null = null;
    let failure =
      reported === 'FAILED'
        ? failureText(
            error,
            active.packageId ? this.repos.packages.find(active.packageId) : undefined,
          )
        : null;
    let reportedBy: 'DEVICE' | 'STATION' | null = failure === null ? null : 'DEVICE';
    if (reported === 'UPDATED') {
      const mismatch = this.versionMismatch(deviceId, type, active.id);
      if (mismatch) {
        state = 'FAILED';
        failure = mismatch;
        detail = 'Device reported UPDATED';
        // The device said UPDATED; it is the station's check that fails it.
        reportedBy = 'STATION';
      }
    }
    executions.transition(active.id, state, at, detail, failure, Date.now(), reportedBy);
    this.changed(active.id, deviceId);
  }

  /** A device that timed out or failed, then reports progress on the same package, is back. */
  private revive(deviceId: string, type: OtaPackageType, reported: OtaState, at: number): void {
    if (reported === 'FAILED') return;
    const latest = this.repos.executions.latest(deviceId, type);
    if (!latest || !REVIVABLE.has(latest.state)) return;
    if (this.repos.devices.assignedPackageId(deviceId, type) !== latest.packageId) return;
    this.repos.executions.reopen(
      latest.id,
      reported,
      at,
      `The device came back after ${latest.state}`,
    );
    if (reported === 'UPDATED') {
      const mismatch = this.versionMismatch(deviceId, type, latest.id);
      if (mismatch)
        this.repos.executions.transition(
          latest.id,
          'FAILED',
          at,
          'Device reported UPDATED',
          mismatch,
          Date.now(),
          'STATION',
        );
    }
    this.changed(latest.id, deviceId);
  }

  private alreadyRuns(deviceId: string, pkg: Package): boolean {
    const device = this.repos.devices.find(deviceId, () => false);
    const slot = device && slotOf(device, pkg.type);
    return slot?.currentTitle === pkg.title && slot.currentVersion === pkg.version;
  }

  private versionMismatch(
    deviceId: string,
    type: OtaPackageType,
    executionId: string,
  ): string | null {
    const execution = this.repos.executions.get(executionId);
    const device = this.repos.devices.find(deviceId, () => false);
    if (!execution || !device) return null;
    const slot = slotOf(device, type);
    if (
      slot.currentTitle === execution.packageTitle &&
      slot.currentVersion === execution.packageVersion
    )
      return null;
    const running = `${slot.currentTitle ?? '(no title)'} ${slot.currentVersion ?? '(no version)'}`;
    return `The device reported UPDATED but runs ${running}, not ${execution.packageTitle} ${execution.packageVersion}`;
  }

  private changed(executionId: string, deviceId: string): void {
    this.notifier.executionChanged(executionId);
    this.notifier.deviceChanged(deviceId);
    this.onStateChange(executionId);
  }
}

export function sharedAttributesOf(pkg: Package, now: number): Record<string, unknown> {
  const keys = otaKeys(pkg.type);
  const values: Record<string, unknown> = { [keys.title]: pkg.title, [keys.version]: pkg.version };
  if (pkg.tag) values[keys.tag] = pkg.tag;
  values[keys.ts] = now;
  values[keys.size] = pkg.size;
  values[keys.checksumAlgorithm] = pkg.checksumAlgorithm;
  values[keys.checksum] = pkg.checksum;
  return values;
}
