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
