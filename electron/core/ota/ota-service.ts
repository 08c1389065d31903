import type { Execution, Package } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import {
  otaKeys,
  unassignDeletedKeys,
  type OtaPackageType,
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

export interface OtaRepositories {
  devices: DeviceRepository;
  packages: PackageRepository;
  executions: ExecutionRepository;
  attributes: AttributeRepository;
  telemetry: TelemetryRepository;
}

const TYPES: readonly OtaPackageType[] = ['FIRMWARE', 'SOFTWARE'];

/**
 * Assignment and the state of each delivery, as the reference server does it (PROTOCOL.md
 * "Firmware assignment"), plus what it lacks: an execution per delivery with its history, and
 * a check that UPDATED really means the target version runs.
 */
export class OtaService {
  constructor(
    private readonly db: Db,
    private readonly repos: OtaRepositories,
    private readonly sessions: SessionRegistry,
    private readonly notifier: ChangeNotifier,
  ) {}

  assign(deviceId: string, packageId: string, now = Date.now()): Execution {
    const { devices, packages, executions } = this.repos;
    const device = devices.identity(deviceId);
    if (!device) throw new ApiError('NOT_FOUND', `Device ${deviceId} does not exist`);
    const pkg = packages.get(packageId);
    this.assertAssignable(device, pkg);
    const active = executions.active(deviceId, pkg.type);
    const latest = executions.latest(deviceId, pkg.type);
    const unchanged = active
      ? active.packageId === pkg.id
      : latest?.packageId === pkg.id && latest.state === 'UPDATED';
    if (latest && unchanged && devices.assignedPackageId(deviceId, pkg.type) === pkg.id) {
      // Saving a device with the package it already gets (or runs) changes nothing, as in the
      // console; after a failure the same package is sent again, which the console cannot do.
      return executions.get(latest.id) as Execution;
    }
    const keys = otaKeys(pkg.type);
    const executionId = this.db.transaction(() => {
      if (active)
        executions.transition(
          active.id,
          'CANCELED',
          now,
          `Replaced by ${pkg.title} ${pkg.version}`,
        );
      devices.setAssignedPackage(deviceId, pkg.type, pkg.id);
      const id = executions.create(
        {
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
      this.initiate(deviceId, id, pkg, now);
      enqueueOutbox(this.db, {
        kind: 'assignment.set',
        entityId: deviceId,
        payload: { type: pkg.type, packageId: pkg.id },
        now,
      });
      return id;
    })();
    this.pushAssignment(deviceId, pkg, now);
    this.notifier.executionChanged(executionId);
    this.notifier.deviceChanged(deviceId);
    return executions.get(executionId) as Execution;
  }

  unassign(deviceId: string, type: OtaPackageType, now = Date.now()): void {
    const { devices, executions, attributes } = this.repos;
    if (!devices.identity(deviceId))
      throw new ApiError('NOT_FOUND', `Device ${deviceId} does not exist`);
    const deleted = unassignDeletedKeys(type);
    const active = executions.active(deviceId, type);
    this.db.transaction(() => {
      devices.setAssignedPackage(deviceId, type, null);
      attributes.delete(deviceId, 'SHARED', deleted);
      if (active) executions.transition(active.id, 'CANCELED', now, 'Un-assigned');
      enqueueOutbox(this.db, {
        kind: 'assignment.cleared',
        entityId: deviceId,
        payload: { type },
        now,
      });
    })();
    this.sessions.pushSharedAttributes(deviceId, { deleted });
    if (active) this.notifier.executionChanged(active.id);
    this.notifier.deviceChanged(deviceId);
  }

  /**
   * Device telemetry: `fw_state`/`sw_state` move the active execution, `current_*` update the
   * device. Entries are applied in timestamp order, with the device's own times in the history.
   */
  onTelemetry(device: DeviceIdentity, entries: readonly TelemetryEntry[]): void {
    const sorted = [...entries].sort((a, b) => a.ts - b.ts);
    for (const type of TYPES) {
      const keys = otaKeys(type);
      for (const entry of sorted) {
        const values = entry.values;
        const current: { title?: string; version?: string } = {};
        if (typeof values[keys.currentTitle] === 'string')
          current.title = values[keys.currentTitle] as string;
        if (typeof values[keys.currentVersion] === 'string')
          current.version = values[keys.currentVersion] as string;
        if (current.title !== undefined || current.version !== undefined) {
          this.repos.devices.setCurrentPackage(device.id, type, current);
          this.notifier.deviceChanged(device.id);
        }
        const state = values[keys.state];
        if (isDeviceReportedState(state)) {
          const error =
            typeof values[keys.error] === 'string' ? (values[keys.error] as string) : null;
          this.applyDeviceState(device.id, type, state, error, entry.ts);
        }
      }
    }
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
    const active = this.repos.executions.active(deviceId, type);
    if (!active || active.state === reported) return;
    let state = reported;
    let detail: string | null = null;
    let failure =
      reported === 'FAILED' ? (error ?? 'The device reported FAILED without fw_error') : null;
    if (reported === 'UPDATED') {
      const mismatch = this.versionMismatch(deviceId, type, active.id);
      if (mismatch) {
        state = 'FAILED';
        failure = mismatch;
        detail = 'Device reported UPDATED';
      }
    }
    this.repos.executions.transition(active.id, state, at, detail, failure);
    this.notifier.executionChanged(active.id);
    this.notifier.deviceChanged(deviceId);
  }

  private versionMismatch(
    deviceId: string,
    type: OtaPackageType,
    executionId: string,
  ): string | null {
    const execution = this.repos.executions.get(executionId);
    const device = this.repos.devices.find(deviceId, () => false);
    if (!execution || !device) return null;
    const slot = type === 'FIRMWARE' ? device.firmware : device.software;
    if (
      slot.currentTitle === execution.packageTitle &&
      slot.currentVersion === execution.packageVersion
    )
      return null;
    const running = `${slot.currentTitle ?? '(no title)'} ${slot.currentVersion ?? '(no version)'}`;
    return `The device reported UPDATED but runs ${running}, not ${execution.packageTitle} ${execution.packageVersion}`;
  }

  /** INITIATED: the shared attributes that tell the device what to fetch. */
  private initiate(deviceId: string, executionId: string, pkg: Package, now: number): void {
    const keys = otaKeys(pkg.type);
    this.repos.executions.transition(executionId, 'INITIATED', now);
    // One millisecond after QUEUED: the time series keeps one value per key and timestamp, so
    // at the same time INITIATED would overwrite QUEUED and the history would lose a state.
    this.repos.telemetry.insert(deviceId, [{ ts: now + 1, values: { [keys.state]: 'INITIATED' } }]);
    const removed = pkg.tag ? [keys.url] : [keys.tag, keys.url];
    this.repos.attributes.delete(deviceId, 'SHARED', removed);
    this.repos.attributes.set(deviceId, 'SHARED', sharedAttributesOf(pkg, now), now);
  }

  private pushAssignment(deviceId: string, pkg: Package, now: number): void {
    const keys = otaKeys(pkg.type);
    this.sessions.pushSharedAttributes(deviceId, {
      deleted: pkg.tag ? [keys.url] : [keys.tag, keys.url],
    });
    this.sessions.pushSharedAttributes(deviceId, sharedAttributesOf(pkg, now));
  }

  private assertAssignable(device: DeviceIdentity, pkg: Package): void {
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
