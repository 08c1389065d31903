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
  const outboxBefore = (
    deps.db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM outbox').get() as { seq: number }
  ).seq;
  deps.db.transaction(() => {
    const telemetryBefore = telemetrySequence(deps);
    if (packageId === null) deps.assigner.unassign(deviceId, type, now);
    else deps.assigner.assign(deviceId, packageId, now);
    deps.db
      .prepare(
        'UPDATE telemetry SET sync_seq = NULL WHERE device_id = ? AND sync_seq > ? AND sync_seq <= ?',
      )
      .run(deviceId, telemetryBefore, telemetrySequence(deps));
    deps.db
      .prepare(
        "DELETE FROM outbox WHERE seq > ? AND entity_id = ? AND kind IN ('assignment.set', 'assignment.cleared')",
      )
      .run(outboxBefore, deviceId);
  })();
}

function telemetrySequence(deps: SyncDeps): number {
  return (
    deps.db.prepare("SELECT value FROM sync_sequence WHERE name = 'telemetry'").get() as {
      value: number;
    }
  ).value;
}
