import type { CloudClient } from '../cloud-client';
import { CloudHttpError } from '../cloud-errors';
import type { SyncDeps } from '../sync-deps';

export interface DeletionsPulled {
  devicesMarked: number;
  devicesRemoved: number;
  packagesMarked: number;
  packagesRemoved: number;
}

/**
 * Applies what was deleted in the cloud. Something missing from a listing is confirmed with
 * a GET (a list can miss an item that moved between pages). What has history on site is kept
 * and marked, never silently dropped.
 */
export async function pullDeletions(
  deps: SyncDeps,
  client: CloudClient,
  listed: {
    profiles: ReadonlySet<string>;
    devices: ReadonlySet<string>;
    packages: ReadonlySet<string>;
  },
): Promise<DeletionsPulled> {
  const result: DeletionsPulled = {
    devicesMarked: 0,
    devicesRemoved: 0,
    packagesMarked: 0,
    packagesRemoved: 0,
  };
  const now = deps.now();
  for (const profile of deps.profileLinks.withCloudId()) {
    if (profile.cloudId && !listed.profiles.has(profile.cloudId))
      deps.profileLinks.markDeleted(profile.id, now);
  }
  for (const device of deps.deviceLinks.withCloudId()) {
    if (!device.cloudId || listed.devices.has(device.cloudId) || device.cloudDeletedAt !== null)
      continue;
    if (!(await isGone(() => client.device(device.cloudId as string)))) continue;
    if (deps.deviceLinks.hasHistory(device.id)) {
      deps.deviceLinks.markDeleted(device.id, now);
      deps.notifier.deviceChanged(device.id);
      deps.log(
        'warning',
        `${device.name} was deleted in the cloud; kept on the station with its history, marked deleted`,
      );
      result.devicesMarked += 1;
    } else {
      deps.deviceLinks.delete(device.id);
      deps.log('info', `${device.name} was deleted in the cloud; removed from the station`);
      result.devicesRemoved += 1;
    }
  }
  for (const pkg of deps.packageLinks.withCloudId()) {
    if (!pkg.cloudId || listed.packages.has(pkg.cloudId) || pkg.cloudDeletedAt !== null) continue;
    if (!(await isGone(() => client.packageInfo(pkg.cloudId as string)))) continue;
    if (deps.packageLinks.inUse(pkg.id)) {
      deps.packageLinks.markDeleted(pkg.id, now);
      deps.log(
        'warning',
        `${pkg.title} ${pkg.version} was deleted in the cloud; kept on the station (in use), marked deleted`,
      );
      result.packagesMarked += 1;
    } else {
      deps.packageLinks.delete(pkg.id);
      if (!deps.packageLinks.isBlobReferenced(pkg.sha256)) {
        await deps.evictServedBinary(pkg.sha256);
        await deps.packageStore.blobs.remove(pkg.sha256);
      }
      deps.events.emit('package.removed', { id: pkg.id });
      deps.log(
        'info',
        `${pkg.title} ${pkg.version} was deleted in the cloud; removed from the cache`,
      );
      result.packagesRemoved += 1;
    }
  }
  return result;
}

async function isGone(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return false;
  } catch (error) {
    if (error instanceof CloudHttpError && error.status === 404) return true;
    throw error;
  }
}
