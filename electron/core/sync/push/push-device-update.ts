import type { DeviceLink } from '../../repositories/cloud-device-links';
import type { OutboxItem } from '../../repositories/sync-queue';
import { CloudHttpError } from '../cloud-errors';
import type { CloudDevice } from '../cloud-types';
import { deviceDeletedConflict, deviceInCloud } from './push-device';
import { entityRef, type PushContext, type Pusher, type PushOutcome } from './push-types';

const SAVE_ATTEMPTS = 3;

/** The two fields people read. */
export interface NameAndLabel {
  name: string;
  label: string;
}

/** What a site edit changes: name, label and device profile (the profile's cloud id). */
export interface DeviceEdit extends NameAndLabel {
  profile: string;
}

const FIELDS = ['name', 'label', 'profile'] as const;
type Field = (typeof FIELDS)[number];

export function editOf(cloud: CloudDevice): DeviceEdit {
  return { name: cloud.name, label: cloud.label ?? '', profile: cloud.deviceProfileId.id };
}

/**
 * The values the edit replaced, as written by the repository (used when no base copy is kept);
 * the profile only when the edit was a move and the old profile is known to the cloud.
 */
function replacedValues(ctx: PushContext, item: OutboxItem): Partial<DeviceEdit> {
  const was = (
    item.payload as { was?: { name?: unknown; label?: unknown; profileId?: unknown } } | null
  )?.was;
  if (typeof was?.name !== 'string' || typeof was.label !== 'string') return {};
  const profile =
    typeof was.profileId === 'string' ? ctx.deps.profileLinks.get(was.profileId)?.cloudId : null;
  return { name: was.name, label: was.label, ...(profile ? { profile } : {}) };
}

function sameNameAndLabel(a: NameAndLabel, b: NameAndLabel): boolean {
  return a.name === b.name && a.label === b.label;
}

function same(a: DeviceEdit, b: DeviceEdit): boolean {
  return sameNameAndLabel(a, b) && a.profile === b.profile;
}

/**
 * Three-way merge, field by field. `start` is what the cloud had when the site edited (the
 * base copy), `mine` the station's values now, `theirs` the cloud's now. A field only one side
 * changed takes that side's value; a field both changed to different values is in conflict.
 */
export function mergeEdit(
  start: DeviceEdit,
  mine: DeviceEdit,
  theirs: DeviceEdit,
): { merged: DeviceEdit; conflicting: Field[] } {
  const merged = { ...theirs };
  const conflicting: Field[] = [];
  for (const field of FIELDS) {
    if (mine[field] === start[field]) continue;
    if (theirs[field] === start[field] || theirs[field] === mine[field])
      merged[field] = mine[field];
    else conflicting.push(field);
  }
  return { merged, conflicting };
}

/**
 * A rename, relabel or move to another device profile made on site. The station's current name,
 * label and profile are what is pushed (a later edit supersedes an earlier one), on the whole device as the copy the edit was made
 * on, with its `version`. On 409 the cloud's latest copy is merged three ways (mergeEdit):
 * - the cloud already has our values: done;
 * - the cloud changed other fields, or the other of name/label: ours go over its latest copy
 *   and its changes are kept (a field only the cloud changed is taken on the station too);
 * - the cloud changed the same field to something else: a conflict for the technician.
 * 400 is the cloud's "another device has that name" (or "no such profile"): refused, shown, not
 * retried by itself. The cloud re-evaluates a moved device's firmware itself, as ThingsBoard does.
 */
export const pushDeviceUpdate: Pusher = async (ctx, item) => {
  const { client, deps } = ctx;
  const found = await deviceInCloud(ctx, item.entityId);
  if ('outcome' in found) return found.outcome;
  const { device } = found;
  const cloudDeviceId = device.cloudId;
  const profile = deps.profileLinks.get(device.profileId);
  if (!profile?.cloudId)
    return {
      kind: 'waiting',
      reason: `waiting for device profile ${profile?.name ?? device.profileId} to reach the cloud`,
    };
  const mine: DeviceEdit = { name: device.name, label: device.label, profile: profile.cloudId };
  let base: CloudDevice;
  try {
    base = device.snapshot ?? (await client.device(cloudDeviceId));
  } catch (error) {
    if (error instanceof CloudHttpError && error.status === 404) return deletedInCloud(device);
    throw error;
  }
  const start = device.snapshot
    ? editOf(device.snapshot)
    : { ...editOf(base), ...replacedValues(ctx, item) };
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
    const theirs = editOf(base);
    const { merged, conflicting } = mergeEdit(start, mine, theirs);
    if (conflicting.length > 0) return editConflict(ctx, device, start, mine, base, conflicting);
    // Already there (pushed with the device's creation, or the same edit made in the console).
    if (same(merged, theirs)) return done(ctx, device, mine, base, 'settled');
    let saved: CloudDevice | undefined;
    try {
      saved = await client.saveDevice({
        ...base,
        name: merged.name,
        label: merged.label,
        deviceProfileId: entityRef('DEVICE_PROFILE', merged.profile),
      });
    } catch (error) {
      if (!(error instanceof CloudHttpError)) throw error;
      if (error.status === 404) return deletedInCloud(device);
      if (error.status === 400) return refused(ctx, device, base, merged, error);
      if (error.status !== 409) throw error;
    }
    if (saved) return done(ctx, device, mine, saved, 'devices');
    try {
      base = await client.device(cloudDeviceId);
    } catch (error) {
      if (error instanceof CloudHttpError && error.status === 404) return deletedInCloud(device);
      throw error;
    }
  }
  throw new CloudHttpError(
    409,
    35,
    `${device.name} keeps changing in the cloud; trying again later`,
  );
};

/**
 * The cloud has the edit. A field the cloud changed and the site did not is taken on the
 * station as well, unless the technician edited again meanwhile (that edit is pushed next).
 */
function done(
  ctx: PushContext,
  device: DeviceLink,
  mine: DeviceEdit,
  cloud: CloudDevice,
  counted: 'devices' | 'settled',
): PushOutcome {
  const { deviceLinks, notifier } = ctx.deps;
  return {
    kind: 'done',
    counted,
    ...(counted === 'settled' ? { note: 'the cloud already has these values' } : {}),
    apply: () => {
      deviceLinks.link(device.id, cloud);
      const now = deviceLinks.get(device.id);
      const theirs = editOf(cloud);
      if (!now || !sameNameAndLabel(now, mine) || sameNameAndLabel(now, theirs)) return;
      if (deviceLinks.setNameAndLabel(device.id, theirs)) notifier.deviceChanged(device.id);
    },
  };
}

async function refused(
  ctx: PushContext,
  device: DeviceLink,
  base: CloudDevice,
  merged: DeviceEdit,
  error: CloudHttpError,
): Promise<PushOutcome> {
  if (merged.profile !== base.deviceProfileId.id && !(await profileInCloud(ctx, merged.profile)))
    return {
      kind: 'failed',
      message: `The cloud no longer has the device profile ${device.name} was moved to on site: move it to another profile, then retry`,
    };
  const other = merged.name !== base.name ? await ctx.client.deviceByName(merged.name) : undefined;
  if (other && other.id.id !== base.id.id)
    return {
      kind: 'failed',
      message:
        `The cloud already has another device named ${merged.name}: the rename of ${base.name} ` +
        'was refused. Choose another name on the station (the new edit replaces this one), or ' +
        "rename the cloud's device and retry.",
    };
  return {
    kind: 'failed',
    message: `The cloud refused the new name or label of ${device.name}: ${error.message}`,
  };
}

async function profileInCloud(ctx: PushContext, cloudProfileId: string): Promise<boolean> {
  try {
    await ctx.client.profile(cloudProfileId);
    return true;
  } catch (error) {
    if (error instanceof CloudHttpError && error.status === 404) return false;
    throw error;
  }
}

function editConflict(
  ctx: PushContext,
  device: DeviceLink,
  start: DeviceEdit,
  mine: DeviceEdit,
  theirs: CloudDevice,
  conflicting: readonly Field[],
): PushOutcome {
  const cloud = editOf(theirs);
  const quoted = (value: string) => (value ? `"${value}"` : 'no label');
  // The cloud names a device's profile in its type; a profile the station has goes by its name.
  const profileName = (side: DeviceEdit) =>
    ctx.deps.profileLinks.byCloudId(side.profile)?.name ??
    (side === cloud ? (theirs.type ?? side.profile) : side.profile);
  const said = conflicting.map((field) =>
    field === 'name'
      ? `renamed to ${cloud.name} in the cloud and to ${mine.name} on site`
      : field === 'label'
        ? `labelled ${quoted(cloud.label)} in the cloud and ${quoted(mine.label)} on site`
        : `moved to device profile ${profileName(cloud)} in the cloud and to ${profileName(mine)} on site`,
  );
  const values = (side: DeviceEdit) =>
    conflicting
      .map((field) =>
        field === 'name'
          ? `the name ${side.name}`
          : field === 'label'
            ? `the label ${quoted(side.label)}`
            : `the device profile ${profileName(side)}`,
      )
      .join(' and ');
  const withProfile = (side: DeviceEdit) =>
    conflicting.includes('profile') ? { 'device profile': profileName(side) } : {};
  return {
    kind: 'conflict',
    message: `${device.name} was ${said.join(', and ')}`,
    detail: {
      kind: 'DEVICE_EDIT',
      label: conflicting.includes('profile')
        ? `${device.name} (device profile)`
        : `${device.name} (name and label)`,
      local: { name: mine.name, label: mine.label, ...withProfile(mine) },
      cloud: { name: cloud.name, label: cloud.label, ...withProfile(cloud) },
      choices: {
        KEEP_MINE: `Give the cloud's device ${values(mine)} too (over the cloud's latest version)`,
        TAKE_CLOUD: `Use ${values(cloud)} on the station, as in the cloud`,
      },
      // The base is kept so that "take the cloud's" still pushes a field only the site changed.
      data: { cloudDevice: theirs, start },
    },
  };
}

/** As for an assignment: the technician chooses between re-creating it and leaving it deleted. */
function deletedInCloud(device: DeviceLink): PushOutcome {
  return deviceDeletedConflict(
    device,
    { how: 'renamed or relabelled', changed: 'name and label' },
    {},
  );
}
