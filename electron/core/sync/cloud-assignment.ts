import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { SyncDeps } from './sync-deps';

/**
 * Applies an assignment the cloud already has (pulled, or "take the cloud's" in a conflict):
 * the station serves it like its own, but no outbox entry is left for it, and the telemetry the
 * station writes while assigning (QUEUED, target_*) stays local: the cloud wrote its own.
 */
export function applyCloudAssignment(
  deps: SyncDeps,
  deviceId: string,
  type: OtaPackageType,
  packageId: string | null,
): void {
  const now = deps.now();
  const outboxBefore = deps.queue.lastSeq();
  deps.db.transaction(() => {
    const telemetryBefore = deps.watermarks.sequence();
    if (packageId === null) deps.assigner.unassign(deviceId, type, now);
    else deps.assigner.assign(deviceId, packageId, now);
    deps.watermarks.keepLocal(deviceId, telemetryBefore, deps.watermarks.sequence());
    deps.queue.dropAssignmentsAfter(outboxBefore, deviceId);
  })();
}

/**
 * Applies a profile's package the cloud already has, as the technician's profile assignment
 * does (followers told, one job), without an outbox entry; the telemetry it writes for the
 * followers stays local: the cloud wrote its own when the profile was saved there.
 */
export function applyCloudProfileAssignment(
  deps: SyncDeps,
  profileId: string,
  type: OtaPackageType,
  packageId: string | null,
): void {
  const now = deps.now();
  const outboxBefore = deps.queue.lastSeq();
  deps.db.transaction(() => {
    const telemetryBefore = deps.watermarks.sequence();
    if (packageId === null) deps.assigner.unassignProfile(profileId, type, now);
    else deps.assigner.assignProfile(profileId, packageId, now);
    const telemetryAfter = deps.watermarks.sequence();
    for (const device of deps.devices.followers(profileId, type))
      deps.watermarks.keepLocal(device.id, telemetryBefore, telemetryAfter);
    deps.queue.dropAssignmentsAfter(outboxBefore, profileId);
  })();
}
