import type { DeviceLink } from '../../repositories/cloud-device-links';
import { CloudHttpError } from '../cloud-errors';
import type { CloudDevice } from '../cloud-types';
import { goneOnSite } from './gone-on-site';
import { entityRef, type PushContext, type Pusher, type PushOutcome } from './push-types';

/** A device added on site: created in the cloud with the same access token. */
export const pushDeviceCreated: Pusher = async (ctx, item) => {
  const device = ctx.deps.deviceLinks.get(item.entityId);
  if (!device) return goneOnSite('the device no longer exists on the station');
  if (device.cloudId) return { kind: 'done', counted: 'settled' };
  return createDevice(ctx, device);
};

/**
 * The device a change of an existing device is pushed to, created in the cloud first when it
 * has no cloud copy: its creation was discarded, or it is re-created after "keep mine" on a
 * deletion in the cloud (creating it sends its current fields). An outcome instead when there
 * is nothing to push to, or the creation has to wait or failed.
 */
export async function deviceInCloud(
  ctx: PushContext,
  deviceId: string,
): Promise<{ device: DeviceLink & { cloudId: string } } | { outcome: PushOutcome }> {
  const { deps } = ctx;
  const device = deps.deviceLinks.get(deviceId);
  if (!device) return { outcome: goneOnSite('the device no longer exists on the station') };
  if (device.cloudId) return { device: { ...device, cloudId: device.cloudId } };
  if (device.cloudDeletedAt !== null && !device.snapshot)
    return { outcome: goneOnSite(`${device.name} was deleted in the cloud`) };
  const created = await createDevice(ctx, device);
  if (created.kind !== 'done') return { outcome: created };
  deps.db.transaction(() => created.apply?.())();
  const linked = deps.deviceLinks.get(deviceId) as DeviceLink;
  return { device: { ...linked, cloudId: linked.cloudId as string } };
}

/**
 * POST /api/device?accessToken=. A 400 is mostly "a device with that name exists": if it has our
 * token it is ours (an answer lost on the way) or the same device made in the console: adopted.
 * Another token is a conflict for the technician.
 */
export async function createDevice(ctx: PushContext, device: DeviceLink): Promise<PushOutcome> {
  const { deps, client } = ctx;
  const profile = deps.profileLinks.get(device.profileId);
  if (!profile?.cloudId)
    return {
      kind: 'waiting',
      reason: `waiting for device profile ${profile?.name ?? device.profileId} to reach the cloud`,
    };
  let saved: CloudDevice;
  try {
    saved = await client.saveDevice(
      {
        name: device.name,
        label: device.label,
        type: profile.name,
        deviceProfileId: entityRef('DEVICE_PROFILE', profile.cloudId),
      },
      device.accessToken,
    );
  } catch (error) {
    if (!(error instanceof CloudHttpError && error.status === 400)) throw error;
    const existing = await client.deviceByName(device.name);
    if (!existing)
      return {
        kind: 'failed',
        message: `The cloud refused device ${device.name}: ${error.message}`,
      };
    const credentials = await client.credentials(existing.id.id);
    if (credentials.credentialsId !== device.accessToken) {
      return {
        kind: 'conflict',
        message: `The cloud already has a device named ${device.name}, with another access token`,
        detail: {
          kind: 'DEVICE',
          label: device.name,
          local: { name: device.name, accessToken: device.accessToken },
          cloud: {
            name: existing.name,
            accessToken: credentials.credentialsId ?? null,
            id: existing.id.id,
          },
          choices: {
            KEEP_MINE: "Link to the cloud's device and give it the token used on site",
            TAKE_CLOUD:
              "Link to the cloud's device and use its token on site (devices using the site's token must be re-provisioned)",
          },
          data: { cloudDevice: existing, cloudToken: credentials.credentialsId ?? null },
        },
      };
    }
    saved = existing;
  }
  return { kind: 'done', counted: 'devices', apply: () => deps.deviceLinks.link(device.id, saved) };
}

/**
 * A change made on site to a device the cloud has deleted meanwhile: the technician chooses
 * between creating it again and leaving it deleted. `change.how` completes "was ... on site",
 * `change.changed` names what changed.
 */
export function deviceDeletedConflict(
  device: DeviceLink,
  change: { how: string; changed: string },
  data: Record<string, unknown>,
): PushOutcome {
  return {
    kind: 'conflict',
    message: `${device.name} was deleted in the cloud, but was ${change.how} on site`,
    detail: {
      kind: 'DEVICE_DELETED',
      label: device.name,
      local: { device: device.name, changed: change.changed },
      cloud: { device: null },
      choices: {
        KEEP_MINE:
          'Create the device in the cloud again (same name and token), then push its changes',
        TAKE_CLOUD:
          'Leave it deleted: the station keeps it and its history, marked deleted; its changes are dropped',
      },
      data,
    },
  };
}
