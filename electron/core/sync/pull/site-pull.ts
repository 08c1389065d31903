import type { PullSummary } from '../../../../shared/api/entities';
import type { CloudClient } from '../cloud-client';
import type { CloudPackageInfo } from '../cloud-types';
import type { ProgressReporter, SyncDeps } from '../sync-deps';
import { prunePartials } from './prune-partials';
import { pullAssignments } from './pull-assignments';
import { pullDeletions } from './pull-deletions';
import { pullDevices } from './pull-devices';
import { listPackages, pullBinaries } from './pull-packages';
import { pullProfileAssignments } from './pull-profile-assignments';
import { pullProfiles } from './pull-profiles';

export interface PullRequest {
  /** Binaries of the packages assigned to these devices (by name); all devices when absent. */
  deviceNames?: readonly string[] | undefined;
  /** Binaries of these cloud packages too (the technician's picks). */
  packageIds?: readonly string[] | undefined;
  binaries: 'ASSIGNED' | 'NONE';
}

/**
 * "Prepare a site visit". Every step is an upsert keyed by cloud id, so a pull that stops
 * half way (connection lost, app killed) simply continues next time without duplicates.
 */
export async function pullSite(
  deps: SyncDeps,
  client: CloudClient,
  request: PullRequest,
  progress: ProgressReporter,
): Promise<PullSummary> {
  const warnings: string[] = [];
  const profiles = await pullProfiles(deps, client, progress);
  const packages = await listPackages(deps, client, progress);
  prunePartials(deps, packages);
  const devices = await pullDevices(deps, client, progress);
  warnings.push(...devices.warnings);

  const wanted = wantedBinaries(request, devices.listed, profiles.listed, packages, warnings);
  const binaries = await pullBinaries(deps, client, wanted, progress);
  const assignments = await pullAssignments(
    deps,
    client,
    devices.listed,
    devices.localIds,
    progress,
  );
  warnings.push(...assignments.warnings);
  const profileAssignments = pullProfileAssignments(deps, profiles.listed, progress);
  warnings.push(...profileAssignments.warnings);
  const deletions = await pullDeletions(deps, client, {
    profiles: new Set(profiles.listed.map((p) => p.id.id)),
    devices: new Set(devices.listed.map((d) => d.id.id)),
    packages: new Set(packages.map((p) => p.id.id)),
  });
  return {
    profiles: { added: profiles.added, updated: profiles.updated },
    devices: {
      added: devices.added,
      updated: devices.updated,
      markedDeleted: deletions.devicesMarked,
      removed: deletions.devicesRemoved,
    },
    packages: {
      listed: packages.length,
      downloaded: binaries.downloaded,
      alreadyCached: binaries.alreadyCached,
      markedDeleted: deletions.packagesMarked,
      removed: deletions.packagesRemoved,
      failed: binaries.failed,
    },
    assignments: {
      applied: assignments.applied + profileAssignments.applied,
      skipped: assignments.skipped + profileAssignments.skipped,
    },
    warnings,
    error: null,
    finishedAt: deps.now(),
  };
}

interface HasPackages {
  firmwareId?: { id: string } | null | undefined;
  softwareId?: { id: string } | null | undefined;
}

/**
 * The binaries a site needs: the packages of the chosen devices (all when none are named),
 * their own or, as a device without one gets its profile's, their profiles'.
 */
function wantedBinaries(
  request: PullRequest,
  devices: readonly (HasPackages & { name: string; deviceProfileId: { id: string } })[],
  profiles: readonly (HasPackages & { id: { id: string } })[],
  packages: readonly CloudPackageInfo[],
  warnings: string[],
): CloudPackageInfo[] {
  const byId = new Map(packages.map((p) => [p.id.id, p]));
  const ids = new Set<string>();
  if (request.binaries === 'ASSIGNED') {
    const chosen = request.deviceNames ? new Set(request.deviceNames) : undefined;
    for (const name of chosen ?? []) {
      if (!devices.some((d) => d.name === name))
        warnings.push(`No device named "${name}" in the cloud`);
    }
    const add = (owner: HasPackages | undefined) => {
      if (owner?.firmwareId) ids.add(owner.firmwareId.id);
      if (owner?.softwareId) ids.add(owner.softwareId.id);
    };
    const profileById = new Map(profiles.map((p) => [p.id.id, p]));
    for (const device of devices) {
      if (chosen && !chosen.has(device.name)) continue;
      add(device);
      add(profileById.get(device.deviceProfileId.id));
    }
    if (!chosen) profiles.forEach(add);
  }
  for (const id of request.packageIds ?? []) {
    if (byId.has(id)) ids.add(id);
    else warnings.push(`No package with id ${id} in the cloud`);
  }
  return [...ids].flatMap((id) => byId.get(id) ?? []);
}
