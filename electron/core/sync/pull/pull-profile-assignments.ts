import { OTA_PACKAGE_TYPES } from '../../../../shared/protocol/ota-keys';
import { applyCloudProfileAssignment } from '../cloud-assignment';
import type { CloudProfile } from '../cloud-types';
import type { ProgressReporter, SyncDeps } from '../sync-deps';
import type { AssignmentsPulled } from './pull-assignments';
import { hasLocalChanges } from './pull-devices';

/**
 * Makes each profile's firmware and software the cloud's, so the devices following the profile
 * get on site what the cloud would send them. A profile with a change of the site's still to
 * push keeps it (the push settles it against the cloud).
 */
export function pullProfileAssignments(
  deps: SyncDeps,
  profiles: readonly CloudProfile[],
  progress: ProgressReporter,
): AssignmentsPulled {
  const result: AssignmentsPulled = { applied: 0, skipped: 0, warnings: [] };
  profiles.forEach((cloud, done) => {
    progress('profile assignments', done, profiles.length);
    const local = deps.profileLinks.byCloudId(cloud.id.id);
    if (!local || hasLocalChanges(deps, local.id)) return;
    for (const type of OTA_PACKAGE_TYPES) {
      const cloudPackageId =
        (type === 'FIRMWARE' ? cloud.firmwareId : cloud.softwareId)?.id ?? null;
      const target = cloudPackageId ? deps.packageLinks.byCloudId(cloudPackageId) : undefined;
      if (cloudPackageId && !target) {
        result.skipped += 1;
        result.warnings.push(
          `Device profile ${cloud.name}: its ${type.toLowerCase()} package is not in the station's cache; pull it to serve it`,
        );
        continue;
      }
      const targetId = target?.id ?? null;
      const current = type === 'FIRMWARE' ? local.firmwareId : local.softwareId;
      if (current === targetId) continue;
      try {
        applyCloudProfileAssignment(deps, local.id, type, targetId);
        result.applied += 1;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ApiError') throw error;
        result.skipped += 1;
        result.warnings.push(`Device profile ${cloud.name}: ${(error as Error).message}`);
      }
    }
  });
  progress('profile assignments', profiles.length, profiles.length);
  return result;
}
