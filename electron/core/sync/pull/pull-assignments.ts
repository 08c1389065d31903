import {
  OTA_PACKAGE_TYPES,
  otaKeys,
  type OtaPackageType,
} from '../../../../shared/protocol/ota-keys';
import { applyCloudAssignment } from '../cloud-assignment';
import type { CloudClient } from '../cloud-client';
import type { CloudDevice } from '../cloud-types';
import type { ProgressReporter, SyncDeps } from '../sync-deps';
import { hasLocalChanges } from './pull-devices';

export interface AssignmentsPulled {
  applied: number;
  skipped: number;
  warnings: string[];
}

/**
 * Makes each device's assigned packages the cloud's, so devices asking the station get what the
 * cloud would send. A device with a change of the station's still to push keeps it (local wins
 * until pushed; the push then settles it against the cloud).
 */
export async function pullAssignments(
  deps: SyncDeps,
  client: CloudClient,
  devices: readonly CloudDevice[],
  localIds: ReadonlyMap<string, string>,
  progress: ProgressReporter,
): Promise<AssignmentsPulled> {
  const result: AssignmentsPulled = { applied: 0, skipped: 0, warnings: [] };
  let done = 0;
  for (const cloud of devices) {
    progress('assignments', done, devices.length);
    done += 1;
    const localId = localIds.get(cloud.id.id);
    if (!localId || hasLocalChanges(deps, localId)) continue;
    for (const type of OTA_PACKAGE_TYPES) {
      const cloudPackageId =
        (type === 'FIRMWARE' ? cloud.firmwareId : cloud.softwareId)?.id ?? null;
      const local = deps.deviceLinks.get(localId);
      if (!local) continue;
      const target = cloudPackageId ? deps.packageLinks.byCloudId(cloudPackageId) : undefined;
      if (cloudPackageId && !target) {
        result.skipped += 1;
        result.warnings.push(
          `${cloud.name}: its ${type.toLowerCase()} package is not in the station's cache; pull it to serve it`,
        );
        continue;
      }
      const targetId = target?.id ?? null;
      const current = type === 'FIRMWARE' ? local.firmwareId : local.softwareId;
      if (current === targetId) continue;
      try {
        // What the cloud last heard the device run goes first: a device already running the
        // target is then done at once rather than waiting for an update that won't come.
        if (target) await adoptCurrentVersion(deps, client, cloud, localId, type);
        applyCloudAssignment(deps, localId, type, targetId);
        result.applied += 1;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ApiError') throw error;
        result.skipped += 1;
        result.warnings.push(`${cloud.name}: ${(error as Error).message}`);
      }
    }
  }
  progress('assignments', devices.length, devices.length);
  return result;
}

/** The cloud's current_* telemetry for a device the station has not heard from yet. */
async function adoptCurrentVersion(
  deps: SyncDeps,
  client: CloudClient,
  cloud: CloudDevice,
  localId: string,
  type: OtaPackageType,
): Promise<void> {
  const detail = deps.devices.find(localId, () => false);
  const slot = type === 'FIRMWARE' ? detail?.firmware : detail?.software;
  if (!slot || slot.currentTitle !== null || slot.currentVersion !== null) return;
  const keys = otaKeys(type);
  const latest = await client.latestTimeseries(cloud.id.id, [
    keys.currentTitle,
    keys.currentVersion,
  ]);
  const title = latest[keys.currentTitle]?.[0]?.value;
  const version = latest[keys.currentVersion]?.[0]?.value;
  if (typeof title !== 'string' && typeof version !== 'string') return;
  deps.devices.setCurrentPackage(localId, type, {
    ...(typeof title === 'string' ? { title } : {}),
    ...(typeof version === 'string' ? { version } : {}),
  });
}
