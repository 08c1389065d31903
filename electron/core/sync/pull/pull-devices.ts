import { applyCloudMove } from '../cloud-assignment';
import type { CloudClient } from '../cloud-client';
import type { CloudDevice } from '../cloud-types';
import type { ProgressReporter, SyncDeps } from '../sync-deps';
import { listAll } from './list-all';

export interface DevicesPulled {
  listed: CloudDevice[];
  /** Cloud device id -> local device id, for the devices the station now mirrors. */
  localIds: Map<string, string>;
  added: number;
  updated: number;
  warnings: string[];
}

/** A local change of this device is still to be pushed: the cloud's copy must not undo it. */
export function hasLocalChanges(deps: SyncDeps, deviceId: string): boolean {
  return deps.queue.itemsOf(deviceId).length > 0;
}

/**
 * The device was renamed or relabelled on site and the cloud has not taken it yet (pending, or
 * held as a conflict or a refusal): its name and label stay the station's until the push
 * settles them.
 */
export function hasPendingEdit(deps: SyncDeps, deviceId: string): boolean {
  return deps.queue.itemsOf(deviceId).some((item) => item.kind === 'device.updated');
}

/** As hasPendingEdit, for a move to another device profile (its entry carries the profile). */
function hasPendingMove(deps: SyncDeps, deviceId: string): boolean {
  return deps.queue
    .itemsOf(deviceId)
    .some(
      (item) =>
        item.kind === 'device.updated' &&
        typeof (item.payload as { profileId?: unknown } | null)?.profileId === 'string',
    );
}

/** Devices with their access tokens (one credentials request per device). */
export async function pullDevices(
  deps: SyncDeps,
  client: CloudClient,
  progress: ProgressReporter,
): Promise<DevicesPulled> {
  const listed = await listAll(
    (page) => client.devicesPage(page, deps.pageSize),
    (done, total) => progress('devices', done, total),
  );
  const result: DevicesPulled = { listed, localIds: new Map(), added: 0, updated: 0, warnings: [] };
  let done = 0;
  for (const cloud of listed) {
    progress('device credentials', done, listed.length);
    done += 1;
    const credentials = await client.credentials(cloud.id.id);
    if (credentials.credentialsType !== 'ACCESS_TOKEN' || !credentials.credentialsId) {
      result.warnings.push(
        `${cloud.name}: uses ${credentials.credentialsType} credentials; the station serves access-token devices only`,
      );
      continue;
    }
    const outcome = upsertDevice(deps, cloud, credentials.credentialsId);
    if (typeof outcome === 'string') {
      result.warnings.push(outcome);
      continue;
    }
    result.localIds.set(cloud.id.id, outcome.id);
    if (outcome.change === 'added') result.added += 1;
    if (outcome.change === 'updated') result.updated += 1;
  }
  progress('device credentials', listed.length, listed.length);
  return result;
}

type Upserted = { id: string; change: 'added' | 'updated' | 'unchanged' } | string;

function upsertDevice(deps: SyncDeps, cloud: CloudDevice, token: string): Upserted {
  const { profileLinks, deviceLinks } = deps;
  const profile = profileLinks.byCloudId(cloud.deviceProfileId.id);
  if (!profile) return `${cloud.name}: its device profile is not in the station; skipped`;
  const local = deviceLinks.byCloudId(cloud.id.id);
  const tokenOwner = deviceLinks.byToken(token);
  if (local) {
    if (tokenOwner && tokenOwner.id !== local.id)
      return `${cloud.name}: its access token is used by the station's device ${tokenOwner.name}; not updated`;
    const edited = hasPendingEdit(deps, local.id);
    const name = edited ? local.name : cloud.name;
    const label = edited ? local.label : (cloud.label ?? '');
    const profileId = hasPendingMove(deps, local.id) ? local.profileId : profile.id;
    const nameOwner = deviceLinks.byName(name);
    if (nameOwner && nameOwner.id !== local.id)
      return `${cloud.name}: the station has another device with that name; not updated`;
    const changed =
      local.name !== name ||
      local.label !== label ||
      local.profileId !== profileId ||
      local.accessToken !== token ||
      local.cloudDeletedAt !== null ||
      local.snapshot?.version !== cloud.version;
    // While a change of the station's is waiting to be pushed, the copy it was made on stays
    // the base, so the push can tell what the cloud changed meanwhile.
    deps.db.transaction(() =>
      deviceLinks.updatePulled(local.id, cloud, {
        token,
        keepSnapshot: hasLocalChanges(deps, local.id),
        keepNameAndLabel: edited,
      }),
    )();
    // Moved in the console: its packages are re-evaluated, as ThingsBoard does on a save.
    if (profileId !== local.profileId) applyCloudMove(deps, local.id, profileId);
    if (changed) deps.notifier.deviceChanged(local.id);
    return { id: local.id, change: changed ? 'updated' : 'unchanged' };
  }
  const sameName = deviceLinks.byName(cloud.name);
  if (sameName) {
    if (sameName.cloudId === null && sameName.accessToken === token) {
      // Added on site with the cloud's name and token: it is that device.
      deps.db.transaction(() => deviceLinks.link(sameName.id, cloud))();
      deps.notifier.deviceChanged(sameName.id);
      return { id: sameName.id, change: 'updated' };
    }
    return sameName.cloudId === null
      ? `${cloud.name}: a device added on site has this name with another token; the push will show the conflict`
      : `${cloud.name}: the station's device of that name belongs to another cloud device; skipped`;
  }
  if (tokenOwner)
    return `${cloud.name}: its access token is used by the station's device ${tokenOwner.name}; skipped`;
  const id = deps.db.transaction(() =>
    deviceLinks.insertPulled(cloud, profile.id, token, deps.now()),
  )();
  deps.notifier.deviceChanged(id);
  return { id, change: 'added' };
}
