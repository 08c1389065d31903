import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { SyncDeps } from './sync-deps';

/**
 * Applies on the station a change the cloud already has, the way the technician's own change is
 * applied (deliveries started or withdrawn), but leaves no outbox entry for it, and the telemetry
 * the station writes meanwhile for `devices` (QUEUED, target_*) stays local: the cloud wrote its
 * own.
 */
function applyFromCloud(
  deps: SyncDeps,
  entityId: string,
  apply: (now: number) => void,
  devices: () => readonly string[],
): void {
  const now = deps.now();
  const outboxBefore = deps.queue.lastSeq();
  deps.db.transaction(() => {
    const telemetryBefore = deps.watermarks.sequence();
    apply(now);
    const telemetryAfter = deps.watermarks.sequence();
    for (const id of devices()) deps.watermarks.keepLocal(id, telemetryBefore, telemetryAfter);
    deps.queue.dropAssignmentsAfter(outboxBefore, entityId);
  })();
}

/** A device's assignment the cloud already has (pulled, or "take the cloud's" in a conflict). */
export function applyCloudAssignment(
  deps: SyncDeps,
  deviceId: string,
  type: OtaPackageType,
  packageId: string | null,
): void {
  applyFromCloud(
    deps,
    deviceId,
    (now) =>
      packageId === null
        ? deps.assigner.unassign(deviceId, type, now)
        : deps.assigner.assign(deviceId, packageId, now),
    () => [deviceId],
  );
}

/** A profile's package the cloud already has: its followers told and one job, as on site. */
export function applyCloudProfileAssignment(
  deps: SyncDeps,
  profileId: string,
  type: OtaPackageType,
  packageId: string | null,
): void {
  applyFromCloud(
    deps,
    profileId,
    (now) =>
      packageId === null
        ? deps.assigner.unassignProfile(profileId, type, now)
        : deps.assigner.assignProfile(profileId, packageId, now),
    () => deps.devices.followers(profileId, type).map((device) => device.id),
  );
}

/** The device profile the cloud gave a device: its packages re-evaluated, as after a site move. */
export function applyCloudMove(deps: SyncDeps, deviceId: string, profileId: string): void {
  applyFromCloud(
    deps,
    deviceId,
    (now) => deps.assigner.moveDevice(deviceId, profileId, now),
    () => [deviceId],
  );
}
