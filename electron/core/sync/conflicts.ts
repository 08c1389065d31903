import type { CloudConflict, ConflictChoice } from '../../../shared/api/entities';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { sharedAttributesOf } from '../ota/ota-service';
import { enqueueOutbox } from '../repositories/outbox';
import type { OutboxItem } from '../repositories/sync-queue';
import { downloadBinary } from './binary-download';
import {
  applyCloudAssignment,
  applyCloudMove,
  applyCloudProfileAssignment,
} from './cloud-assignment';
import type { CloudClient } from './cloud-client';
import { CloudHttpError } from './cloud-errors';
import { CloudDevice, CloudProfile } from './cloud-types';
import { cacheBinary } from './pull/pull-packages';
import { type DeviceEdit, editOf, mergeEdit } from './push/push-device-update';
import type { ConflictDetail } from './push/push-types';
import type { SyncDeps } from './sync-deps';

export interface Resolution {
  resolved: boolean;
  message: string;
}

const needsCloud = (): Resolution => ({
  resolved: false,
  message: 'This choice needs the cloud: sign in and try again when online',
});

/** The conflict as the technician sees it, from the item's stored detail. */
export function toConflict(item: OutboxItem): CloudConflict | undefined {
  const detail = item.detail as ConflictDetail | null;
  if (item.status !== 'CONFLICT' || !detail) return undefined;
  return {
    id: item.seq,
    kind: detail.kind,
    entityId: item.entityId,
    label: detail.label,
    message: item.error ?? '',
    local: detail.local,
    cloud: detail.cloud,
    choices: detail.choices,
    createdAt: item.createdAt,
  };
}

/**
 * Keep mine: the station's change is re-applied over the cloud's latest version.
 * Take the cloud's: the station adopts what the cloud has, and the change is dropped.
 * Some resolutions need the cloud (a download, a credentials change); `client` is undefined
 * when signed out, and they answer "not resolved" with the reason.
 */
export async function resolveConflict(
  deps: SyncDeps,
  client: CloudClient | undefined,
  item: OutboxItem,
  choice: ConflictChoice,
): Promise<Resolution> {
  const detail = item.detail as ConflictDetail;
  switch (detail.kind) {
    case 'ASSIGNMENT': {
      const theirs = CloudDevice.parse(detail.data.cloudDevice);
      const type = detail.data.type as OtaPackageType;
      if (choice === 'KEEP_MINE') {
        // The cloud's latest copy becomes the base: the next push saves ours over it.
        deps.db.transaction(() => {
          deps.deviceLinks.link(item.entityId, theirs);
          deps.queue.reopen(item.seq);
        })();
        return {
          resolved: true,
          message: "The station's assignment will be pushed over the cloud's",
        };
      }
      const localId = await cachedCloudPackage(deps, client, detail.data.cloudPackageId);
      if (localId === undefined) return needsCloud();
      applyCloudAssignment(deps, item.entityId, type, localId);
      deps.db.transaction(() => {
        deps.deviceLinks.link(item.entityId, theirs);
        deps.queue.drop([item.seq]);
      })();
      return { resolved: true, message: "The station now has the cloud's assignment" };
    }
    case 'PROFILE_ASSIGNMENT':
      return resolveProfileAssignment(deps, client, item, detail, choice);
    case 'PROFILE_DELETED':
      return resolveProfileDeleted(deps, item, choice);
    case 'PACKAGE': {
      if (!client) return needsCloud();
      const cloudPackageId = detail.data.cloudPackageId as string;
      if (choice === 'KEEP_MINE') {
        try {
          await client.deletePackage(cloudPackageId);
        } catch (error) {
          if (error instanceof CloudHttpError && error.status === 400)
            return { resolved: false, message: `The cloud keeps its package: ${error.message}` };
          if (!(error instanceof CloudHttpError && error.status === 404)) throw error;
        }
        deps.db.transaction(() => {
          deps.queue.setProgress(item.seq, {});
          deps.queue.reopen(item.seq);
        })();
        return {
          resolved: true,
          message: "The cloud's package was removed; the site's is pushed next",
        };
      }
      return takeCloudPackage(deps, client, item, cloudPackageId);
    }
    case 'DEVICE': {
      if (!client) return needsCloud();
      const cloudDevice = CloudDevice.parse(detail.data.cloudDevice);
      const local = deps.deviceLinks.get(item.entityId);
      if (!local) {
        deps.queue.drop([item.seq]);
        return { resolved: true, message: 'The device no longer exists on the station' };
      }
      if (choice === 'KEEP_MINE') {
        const credentials = await client.credentials(cloudDevice.id.id);
        try {
          await client.saveCredentials({ ...credentials, credentialsId: local.accessToken });
        } catch (error) {
          if (error instanceof CloudHttpError && error.status === 400)
            return {
              resolved: false,
              message: `The cloud refused the site's token: ${error.message}`,
            };
          throw error;
        }
      } else {
        const token = detail.data.cloudToken as string | null;
        if (!token) return { resolved: false, message: 'The cloud device has no access token' };
        const owner = deps.deviceLinks.byToken(token);
        if (owner && owner.id !== local.id)
          return {
            resolved: false,
            message: `The station's device ${owner.name} already uses the cloud's token`,
          };
        deps.deviceLinks.setAccessToken(local.id, token);
      }
      const fresh = await client.device(cloudDevice.id.id);
      deps.db.transaction(() => {
        deps.deviceLinks.link(local.id, fresh);
        deps.queue.drop([item.seq]);
      })();
      deps.notifier.deviceChanged(local.id);
      return { resolved: true, message: `${local.name} is linked to the cloud's device` };
    }
    case 'DEVICE_EDIT':
      return resolveDeviceEdit(deps, item, detail, choice);
    case 'DEVICE_DELETED': {
      const device = deps.deviceLinks.get(item.entityId);
      if (!device) {
        deps.queue.drop([item.seq]);
        return { resolved: true, message: 'The device no longer exists on the station' };
      }
      if (choice === 'KEEP_MINE') {
        deps.db.transaction(() => {
          deps.deviceLinks.unlink(device.id, null);
          // The new cloud device has none of the history: all of it goes again.
          deps.watermarks.resetWatermark(device.id);
          deps.queue.reopen(item.seq);
        })();
        return { resolved: true, message: `${device.name} will be created in the cloud again` };
      }
      deps.db.transaction(() => {
        deps.deviceLinks.unlink(device.id, deps.now());
        deps.queue.drop(deps.queue.itemsOf(device.id).map((i) => i.seq));
      })();
      deps.notifier.deviceChanged(device.id);
      return {
        resolved: true,
        message: `${device.name} stays deleted in the cloud; kept on the station, marked deleted`,
      };
    }
  }
}

/**
 * A name or label changed both on site and in the cloud. Keep mine: the cloud's latest copy
 * becomes the base and the station's values are pushed over it. Take the cloud's: its values
 * for the fields in conflict are written on the station, without an outbox entry; a field only
 * the site changed is still pushed (the same item, reopened).
 */
function resolveDeviceEdit(
  deps: SyncDeps,
  item: OutboxItem,
  detail: ConflictDetail,
  choice: ConflictChoice,
): Resolution {
  const theirs = CloudDevice.parse(detail.data.cloudDevice);
  const device = deps.deviceLinks.get(item.entityId);
  if (!device) {
    deps.queue.drop([item.seq]);
    return { resolved: true, message: 'The device no longer exists on the station' };
  }
  if (deps.queue.itemsOf(device.id).some((i) => i.kind === 'device.updated' && i.seq > item.seq)) {
    deps.queue.drop([item.seq]);
    return {
      resolved: true,
      message: `${device.name} was edited again on the station since: that edit replaces this one and is pushed next`,
    };
  }
  if (choice === 'KEEP_MINE') {
    deps.db.transaction(() => {
      deps.deviceLinks.link(device.id, theirs);
      deps.queue.reopen(item.seq);
    })();
    return {
      resolved: true,
      message: `${device.name}: the station's name and label will be pushed over the cloud's`,
    };
  }
  const cloud = editOf(theirs);
  const profile = deps.profileLinks.get(device.profileId);
  const mine: DeviceEdit = {
    name: device.name,
    label: device.label,
    profile: profile?.cloudId ?? cloud.profile,
  };
  const start = { ...cloud, ...(detail.data.start as Partial<DeviceEdit> | undefined) };
  const { merged } = mergeEdit(start, mine, cloud);
  const settled =
    merged.name === cloud.name && merged.label === cloud.label && merged.profile === cloud.profile;
  const movedTo =
    merged.profile === mine.profile ? undefined : deps.profileLinks.byCloudId(merged.profile);
  if (merged.profile !== mine.profile && !movedTo)
    return {
      resolved: false,
      message: `The cloud's device profile of ${device.name} is not on the station yet: pull, then try again`,
    };
  const applied = deps.db.transaction(() => {
    if (!deps.deviceLinks.setNameAndLabel(device.id, merged)) return false;
    if (movedTo) applyCloudMove(deps, device.id, movedTo.id);
    deps.deviceLinks.link(device.id, theirs);
    if (settled) deps.queue.drop([item.seq]);
    else deps.queue.reopen(item.seq);
    return true;
  })();
  if (!applied)
    return {
      resolved: false,
      message: `Another device of the station is named ${merged.name}: rename it first`,
    };
  deps.notifier.deviceChanged(device.id);
  return {
    resolved: true,
    message: settled
      ? `${merged.name} now has the cloud's name and label`
      : `${merged.name} takes the cloud's value where both changed; the site's other change is pushed next`,
  };
}

/**
 * A profile's package changed on site and in the cloud. Keep mine: the cloud's latest copy
 * becomes the base and the site's package is saved over it. Take the cloud's: its package
 * (downloaded if the cache lacks it) becomes the profile's on site, reaching its devices.
 */
async function resolveProfileAssignment(
  deps: SyncDeps,
  client: CloudClient | undefined,
  item: OutboxItem,
  detail: ConflictDetail,
  choice: ConflictChoice,
): Promise<Resolution> {
  const theirs = CloudProfile.parse(detail.data.cloudProfile);
  const type = detail.data.type as OtaPackageType;
  if (!deps.profileLinks.get(item.entityId)) {
    deps.queue.drop([item.seq]);
    return { resolved: true, message: 'The device profile no longer exists on the station' };
  }
  if (choice === 'KEEP_MINE') {
    deps.db.transaction(() => {
      deps.profileLinks.setSnapshot(item.entityId, theirs);
      deps.queue.reopen(item.seq);
    })();
    return {
      resolved: true,
      message: "The station's package of the profile will be pushed over the cloud's",
    };
  }
  const localId = await cachedCloudPackage(deps, client, detail.data.cloudPackageId);
  if (localId === undefined) return needsCloud();
  applyCloudProfileAssignment(deps, item.entityId, type, localId);
  deps.db.transaction(() => {
    deps.profileLinks.setSnapshot(item.entityId, theirs);
    deps.queue.drop([item.seq]);
  })();
  return { resolved: true, message: "The station's device profile now has the cloud's package" };
}

/**
 * A profile's package changed on site, the profile deleted in the cloud. Keep mine: the profile
 * and its packages are created in the cloud again (queued as on site), then the change pushed.
 * Take the cloud's: the station keeps the profile, marked deleted; its changes are dropped.
 */
function resolveProfileDeleted(
  deps: SyncDeps,
  item: OutboxItem,
  choice: ConflictChoice,
): Resolution {
  const profile = deps.profileLinks.get(item.entityId);
  if (!profile) {
    deps.queue.drop([item.seq]);
    return { resolved: true, message: 'The device profile no longer exists on the station' };
  }
  if (choice === 'TAKE_CLOUD') {
    deps.db.transaction(() => {
      deps.profileLinks.markDeleted(profile.id, deps.now());
      deps.queue.drop(deps.queue.itemsOf(profile.id).map((i) => i.seq));
    })();
    return {
      resolved: true,
      message: `Device profile ${profile.name} stays deleted in the cloud; kept on the station, marked deleted`,
    };
  }
  const now = deps.now();
  deps.db.transaction(() => {
    deps.profileLinks.unlink(profile.id);
    enqueueOutbox(deps.db, {
      kind: 'profile.created',
      entityId: profile.id,
      payload: { name: profile.name, description: profile.description },
      now,
    });
    for (const pkg of deps.packageLinks.linkedOfProfile(profile.id)) {
      deps.packageLinks.unlink(pkg.id);
      const { cloudId: _cloudId, cloudDeletedAt: _deletedAt, status: _status, ...fields } = pkg;
      enqueueOutbox(deps.db, { kind: 'package.created', entityId: pkg.id, payload: fields, now });
    }
    // Queued again after them: the entity's changes are pushed in order.
    deps.queue.drop([item.seq]);
    enqueueOutbox(deps.db, { kind: item.kind, entityId: profile.id, payload: item.payload, now });
  })();
  return {
    resolved: true,
    message: `Device profile ${profile.name} and its packages will be created in the cloud again`,
  };
}

/**
 * The station's id of a cloud package, downloaded first if the cache lacks it; null for no
 * package, undefined when it must be downloaded and the cloud is not at hand.
 */
async function cachedCloudPackage(
  deps: SyncDeps,
  client: CloudClient | undefined,
  cloudPackageId: unknown,
): Promise<string | null | undefined> {
  if (typeof cloudPackageId !== 'string') return null;
  const cached = deps.packageLinks.byCloudId(cloudPackageId);
  if (cached) return cached.id;
  if (!client) return undefined;
  await cacheBinary(deps, client, await client.packageInfo(cloudPackageId));
  return deps.packageLinks.byCloudId(cloudPackageId)?.id ?? null;
}

/** The cloud's binary replaces the site's under the same package row (assignments follow it). */
async function takeCloudPackage(
  deps: SyncDeps,
  client: CloudClient,
  item: OutboxItem,
  cloudPackageId: string,
): Promise<Resolution> {
  const local = deps.packageLinks.get(item.entityId);
  if (!local) {
    deps.queue.drop([item.seq]);
    return { resolved: true, message: 'The package no longer exists on the station' };
  }
  const info = await client.packageInfo(cloudPackageId);
  const binary = await downloadBinary(client, info, deps.packageStore.blobs);
  deps.db.transaction(() => {
    deps.packageLinks.replaceBinary(local.id, binary, cloudPackageId);
    deps.queue.drop([item.seq]);
    // Devices asking for their attributes must get the new size and checksum.
    const pkg = deps.packages.get(local.id);
    for (const id of deps.deviceLinks.assignedTo(local.id))
      deps.attributes.set(id, 'SHARED', sharedAttributesOf(pkg, deps.now()));
  })();
  if (local.sha256 !== binary.sha256) {
    await deps.evictServedBinary(local.sha256);
    if (!deps.packageLinks.isBlobReferenced(local.sha256))
      await deps.packageStore.blobs.remove(local.sha256);
  }
  deps.events.emit('package.changed', deps.packages.get(local.id));
  return {
    resolved: true,
    message: `The cache now holds the cloud's ${info.title} ${info.version}`,
  };
}
