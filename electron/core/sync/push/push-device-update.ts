import type { DeviceLink } from '../../repositories/cloud-device-links';
import type { OutboxItem } from '../../repositories/sync-queue';
import { CloudHttpError } from '../cloud-errors';
import type { CloudDevice } from '../cloud-types';
import { deviceDeletedConflict, deviceInCloud } from './push-device';
import type { PushContext, Pusher, PushOutcome } from './push-types';

const SAVE_ATTEMPTS = 3;

/** What a site edit changes: the two fields people read. */
export interface NameAndLabel {
  name: string;
  label: string;
}

const FIELDS = ['name', 'label'] as const;
type Field = (typeof FIELDS)[number];

export function nameAndLabelOf(cloud: CloudDevice): NameAndLabel {
  return { name: cloud.name, label: cloud.label ?? '' };
}

/** The values the edit replaced, as written by the repository (used when no base copy is kept). */
function replacedValues(item: OutboxItem): NameAndLabel | undefined {
  const was = (item.payload as { was?: { name?: unknown; label?: unknown } } | null)?.was;
  return typeof was?.name === 'string' && typeof was.label === 'string'
    ? { name: was.name, label: was.label }
    : undefined;
}

function same(a: NameAndLabel, b: NameAndLabel): boolean {
  return a.name === b.name && a.label === b.label;
}

/**
 * Three-way merge, field by field. `start` is what the cloud had when the site edited (the
 * base copy), `mine` the station's values now, `theirs` the cloud's now. A field only one side
 * changed takes that side's value; a field both changed to different values is in conflict.
 */
export function mergeEdit(
  start: NameAndLabel,
  mine: NameAndLabel,
  theirs: NameAndLabel,
): { merged: NameAndLabel; conflicting: Field[] } {
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
 * A rename or relabel made on site. The station's current name and label are what is pushed
 * (a later edit supersedes an earlier one), on the whole device as the copy the edit was made
 * on, with its `version`. On 409 the cloud's latest copy is merged three ways (mergeEdit):
 * - the cloud already has our values: done;
 * - the cloud changed other fields, or the other of name/label: ours go over its latest copy
 *   and its changes are kept (a field only the cloud changed is taken on the station too);
 * - the cloud changed the same field to something else: a conflict for the technician.
 * 400 is the cloud's "another device has that name": refused, shown, not retried by itself.
 */
export const pushDeviceUpdate: Pusher = async (ctx, item) => {
  const { client } = ctx;
  const found = await deviceInCloud(ctx, item.entityId);
  if ('outcome' in found) return found.outcome;
  const { device } = found;
  const cloudDeviceId = device.cloudId;
  const mine: NameAndLabel = { name: device.name, label: device.label };
  let base: CloudDevice;
  try {
    base = device.snapshot ?? (await client.device(cloudDeviceId));
  } catch (error) {
    if (error instanceof CloudHttpError && error.status === 404) return deletedInCloud(device);
    throw error;
  }
  const start = device.snapshot
    ? nameAndLabelOf(device.snapshot)
    : (replacedValues(item) ?? nameAndLabelOf(base));
  for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
    const theirs = nameAndLabelOf(base);
    const { merged, conflicting } = mergeEdit(start, mine, theirs);
    if (conflicting.length > 0) return editConflict(device, start, mine, base, conflicting);
    // Already there (pushed with the device's creation, or the same edit made in the console).
    if (same(merged, theirs)) return done(ctx, device, mine, base, 'settled');
    let saved: CloudDevice | undefined;
    try {
      saved = await client.saveDevice({ ...base, name: merged.name, label: merged.label });
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
  mine: NameAndLabel,
  cloud: CloudDevice,
  counted: 'devices' | 'settled',
): PushOutcome {
  const { deviceLinks, notifier } = ctx.deps;
  return {
    kind: 'done',
    counted,
    ...(counted === 'settled' ? { note: 'the cloud already has this name and label' } : {}),
    apply: () => {
      deviceLinks.link(device.id, cloud);
      const now = deviceLinks.get(device.id);
      const theirs = nameAndLabelOf(cloud);
      if (!now || !same(now, mine) || same(now, theirs)) return;
      if (deviceLinks.setNameAndLabel(device.id, theirs)) notifier.deviceChanged(device.id);
    },
  };
}

async function refused(
  ctx: PushContext,
  device: DeviceLink,
  base: CloudDevice,
  merged: NameAndLabel,
  error: CloudHttpError,
): Promise<PushOutcome> {
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

function editConflict(
  device: DeviceLink,
  start: NameAndLabel,
  mine: NameAndLabel,
  theirs: CloudDevice,
  conflicting: readonly Field[],
): PushOutcome {
  const cloud = nameAndLabelOf(theirs);
  const quoted = (value: string) => (value ? `"${value}"` : 'no label');
  const said = conflicting.map((field) =>
    field === 'name'
      ? `renamed to ${cloud.name} in the cloud and to ${mine.name} on site`
      : `labelled ${quoted(cloud.label)} in the cloud and ${quoted(mine.label)} on site`,
  );
  const values = (side: NameAndLabel) =>
    conflicting
      .map((field) =>
        field === 'name' ? `the name ${side.name}` : `the label ${quoted(side.label)}`,
      )
      .join(' and ');
  return {
    kind: 'conflict',
    message: `${device.name} was ${said.join(', and ')}`,
    detail: {
      kind: 'DEVICE_EDIT',
      label: `${device.name} (name and label)`,
      local: { name: mine.name, label: mine.label },
      cloud: { name: cloud.name, label: cloud.label },
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
