import { otaKeys, type OtaPackageType } from '../../../../shared/protocol/ota-keys';
import type { DeviceLink } from '../../repositories/cloud-device-links';
import type { PackageLink } from '../../repositories/cloud-package-links';
import { CloudHttpError } from '../cloud-errors';
import type { CloudDevice } from '../cloud-types';
import { deviceDeletedConflict, deviceInCloud } from './push-device';
import { entityRef, type PushContext, type Pusher, type PushOutcome } from './push-types';

const SAVE_ATTEMPTS = 3;

export function slotField(type: OtaPackageType): 'firmwareId' | 'softwareId' {
  return type === 'FIRMWARE' ? 'firmwareId' : 'softwareId';
}

export function slotName(type: OtaPackageType): 'firmware' | 'software' {
  return type === 'FIRMWARE' ? 'firmware' : 'software';
}

/**
 * What a device's or a profile's slot holds on site, as the cloud's package id (`mine`, null
 * for none); an outcome instead while that package has not reached the cloud.
 */
export function slotPackage(
  ctx: PushContext,
  holder: { firmwareId: string | null; softwareId: string | null },
  type: OtaPackageType,
): { pkg: PackageLink | null; mine: string | null } | { outcome: PushOutcome } {
  const localPackageId = type === 'FIRMWARE' ? holder.firmwareId : holder.softwareId;
  const pkg = localPackageId ? ctx.deps.packageLinks.get(localPackageId) : undefined;
  if (localPackageId && !pkg?.cloudId)
    return {
      outcome: {
        kind: 'waiting',
        reason: `waiting for package ${pkg ? `${pkg.title} ${pkg.version}` : localPackageId} to reach the cloud`,
      },
    };
  return { pkg: pkg ?? null, mine: pkg?.cloudId ?? null };
}

/** Both sides of a slot in conflict, in the technician's words ("CIM-168 1.0.1", or null). */
export async function slotConflictLabels(
  ctx: PushContext,
  type: OtaPackageType,
  mine: { title: string; version: string } | null,
  theirs: { firmwareId?: { id: string } | null; softwareId?: { id: string } | null },
): Promise<{
  slot: 'firmware' | 'software';
  cloudPackageId: string | null;
  mineLabel: string | null;
  theirsLabel: string | null;
  /** "the firmware was changed in the cloud to … while it was set to … on site" */
  said: string;
}> {
  const cloudPackageId = theirs[slotField(type)]?.id ?? null;
  const slot = slotName(type);
  const mineLabel = mine ? `${mine.title} ${mine.version}` : null;
  const theirsLabel = cloudPackageId ? await describeCloudPackage(ctx, cloudPackageId) : null;
  const said = `the ${slot} was changed in the cloud to ${theirsLabel ?? 'none'} while it was set to ${mineLabel ?? 'none'} on site`;
  return { slot, cloudPackageId, mineLabel, theirsLabel, said };
}

export function assignmentType(payload: unknown): OtaPackageType {
  return (payload as { type?: unknown } | null)?.type === 'SOFTWARE' ? 'SOFTWARE' : 'FIRMWARE';
}

/**
 * An assignment or un-assignment made on site. The device's current slot is what is pushed (a
 * later change supersedes an earlier one). The device goes back whole, with the `version` of the
 * copy the change was made on. On 409 the cloud's latest copy is compared three ways:
 * - the cloud already has our package in that slot: done;
 * - the cloud's slot is still what we started from: only other fields changed, so ours is
 *   re-applied on the cloud's latest copy (their edits kept);
 * - the cloud assigned something else meanwhile: a conflict for the technician.
 */
export const pushAssignment: Pusher = async (ctx, item) => {
  const { client } = ctx;
  const type = assignmentType(item.payload);
  const found = await deviceInCloud(ctx, item.entityId);
  if ('outcome' in found) return found.outcome;
  const { device } = found;
  const cloudDeviceId = device.cloudId;
  const slot = slotPackage(ctx, device, type);
  if ('outcome' in slot) return slot.outcome;
  const { pkg, mine } = slot;
  const field = slotField(type);
  let base: CloudDevice = device.snapshot ?? (await client.device(cloudDeviceId));
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
    let saved: CloudDevice | undefined;
    try {
      saved = await client.saveDevice({
        ...base,
        [field]: mine ? entityRef('OTA_PACKAGE', mine) : null,
      });
    } catch (error) {
      if (!(error instanceof CloudHttpError)) throw error;
      if (error.status === 404) return deletedInCloud(device, type);
      if (error.status === 400)
        return {
          kind: 'failed',
          message: `The cloud refused the assignment on ${device.name}: ${error.message}`,
        };
      if (error.status !== 409) throw error;
    }
    if (saved) return done(ctx, device, type, pkg?.id ?? null, saved);
    let theirs: CloudDevice;
    try {
      theirs = await client.device(cloudDeviceId);
    } catch (error) {
      if (error instanceof CloudHttpError && error.status === 404)
        return deletedInCloud(device, type);
      throw error;
    }
    const theirSlot = theirs[field]?.id ?? null;
    const baseSlot = base[field]?.id ?? null;
    if (theirSlot === mine) {
      return done(ctx, device, type, pkg?.id ?? null, theirs);
    }
    if (theirSlot !== baseSlot) return assignmentConflict(ctx, device, type, pkg, theirs);
    base = theirs;
  }
  throw new CloudHttpError(
    409,
    35,
    `${device.name} keeps changing in the cloud; trying again later`,
  );
};

/**
 * The assignment is in the cloud. Saving it made the cloud write QUEUED and INITIATED at the
 * time of the push, later than anything the device reported on site; when the delivery already
 * ended on site, the station restates its outcome just after them (a telemetry point it writes
 * itself, pushed with the rest), so the cloud's latest state is what happened, not INITIATED.
 */
async function done(
  ctx: PushContext,
  device: DeviceLink,
  type: OtaPackageType,
  packageId: string | null,
  cloud: CloudDevice,
): Promise<PushOutcome> {
  const { deps, client } = ctx;
  const settle = packageId ? await settlePoint(ctx, device.id, type, packageId) : undefined;
  let ts = 0;
  if (settle) {
    const keys = otaKeys(type);
    const latest = await client.latestTimeseries(cloud.id.id, [keys.state]);
    ts = Math.max(deps.now(), (latest[keys.state]?.[0]?.ts ?? 0) + 1);
  }
  return {
    kind: 'done',
    counted: 'assignments',
    apply: () => {
      deps.deviceLinks.link(device.id, cloud);
      if (settle) deps.telemetry.insert(device.id, [{ ts, values: settle }]);
    },
  };
}

/** The outcome to restate, if the delivery of this package already ended on site. */
function settlePoint(
  ctx: PushContext,
  deviceId: string,
  type: OtaPackageType,
  packageId: string,
): Record<string, unknown> | undefined {
  const { executions, devices } = ctx.deps;
  const execution = executions.latest(deviceId, type);
  if (!execution || execution.packageId !== packageId) return undefined;
  if (execution.state !== 'UPDATED' && execution.state !== 'FAILED') return undefined;
  const keys = otaKeys(type);
  const current = devices.currentPackage(deviceId, type);
  const point: Record<string, unknown> = { [keys.state]: execution.state };
  if (current?.title) point[keys.currentTitle] = current.title;
  if (current?.version) point[keys.currentVersion] = current.version;
  if (execution.state === 'FAILED' && execution.error) point[keys.error] = execution.error;
  return point;
}

async function assignmentConflict(
  ctx: PushContext,
  device: DeviceLink,
  type: OtaPackageType,
  mine: { title: string; version: string } | null,
  theirs: CloudDevice,
): Promise<PushOutcome> {
  const labels = await slotConflictLabels(ctx, type, mine, theirs);
  const { slot, cloudPackageId, mineLabel, theirsLabel } = labels;
  return {
    kind: 'conflict',
    message: `${device.name}: ${labels.said}`,
    detail: {
      kind: 'ASSIGNMENT',
      label: `${device.name} (${slot})`,
      local: { device: device.name, [slot]: mineLabel },
      cloud: { device: theirs.name, [slot]: theirsLabel, version: theirs.version ?? null },
      choices: {
        KEEP_MINE: `Assign ${mineLabel ?? 'nothing'} in the cloud too (over the cloud's latest version)`,
        TAKE_CLOUD: `Assign ${theirsLabel ?? 'nothing'} on the station, as in the cloud`,
      },
      data: { cloudDevice: theirs, type, cloudPackageId },
    },
  };
}

function deletedInCloud(device: DeviceLink, type: OtaPackageType): PushOutcome {
  return deviceDeletedConflict(device, { how: 'changed', changed: slotName(type) }, { type });
}

export async function describeCloudPackage(ctx: PushContext, cloudId: string): Promise<string> {
  const local = ctx.deps.packageLinks.byCloudId(cloudId);
  if (local) return `${local.title} ${local.version}`;
  const listed = ctx.deps.cloudPackages.titleVersion(cloudId);
  if (listed) return `${listed.title} ${listed.version}`;
  try {
    const info = await ctx.client.packageInfo(cloudId);
    return `${info.title} ${info.version}`;
  } catch {
    return `package ${cloudId}`;
  }
}
