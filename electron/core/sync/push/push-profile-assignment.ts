import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import type { ProfileLink } from '../../repositories/cloud-profile-links';
import { CloudHttpError } from '../cloud-errors';
import type { CloudProfile } from '../cloud-types';
import { goneOnSite } from './gone-on-site';
import {
  assignmentType,
  slotConflictLabels,
  slotField,
  slotName,
  slotPackage,
} from './push-assignment';
import { entityRef, type PushContext, type Pusher, type PushOutcome } from './push-types';

const SAVE_ATTEMPTS = 3;

/**
 * A profile's firmware (software) changed on site. The profile's current slot is what is pushed,
 * in the whole profile as the cloud last showed it, with that copy's `version`. On 409 the
 * cloud's latest copy is compared three ways, as for a device's assignment: it already has ours
 * (done); its slot is still what we started from (ours re-applied over their other edits); or
 * it was given another package meanwhile (a conflict for the technician).
 */
export const pushProfileAssignment: Pusher = async (ctx, item) => {
  const { deps, client } = ctx;
  const type = assignmentType(item.payload);
  const profile = deps.profileLinks.get(item.entityId);
  if (!profile) return goneOnSite('the profile no longer exists on the station');
  if (!profile.cloudId)
    return {
      kind: 'waiting',
      reason: `waiting for device profile ${profile.name} to reach the cloud`,
    };
  const slot = slotPackage(ctx, profile, type);
  if ('outcome' in slot) return slot.outcome;
  const { pkg, mine } = slot;
  const field = slotField(type);
  try {
    let base: CloudProfile = profile.snapshot ?? (await client.profile(profile.cloudId));
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt += 1) {
      const saved = await saveOrConflict(ctx, {
        ...base,
        [field]: mine ? entityRef('OTA_PACKAGE', mine) : null,
      });
      if (saved.kind === 'refused')
        return {
          kind: 'failed',
          message: `The cloud refused the ${slotName(type)} of device profile ${profile.name}: ${saved.message}`,
        };
      if (saved.kind === 'saved') return done(ctx, profile, saved.profile);
      const theirs = await client.profile(profile.cloudId);
      const theirSlot = theirs[field]?.id ?? null;
      if (theirSlot === mine) return done(ctx, profile, theirs);
      if (theirSlot !== (base[field]?.id ?? null))
        return profileConflict(ctx, profile, type, pkg, theirs);
      base = theirs;
    }
  } catch (error) {
    if (error instanceof CloudHttpError && error.status === 404)
      return profileDeletedConflict(profile, type);
    throw error;
  }
  throw new CloudHttpError(
    409,
    35,
    `Device profile ${profile.name} keeps changing in the cloud; trying again later`,
  );
};

type SaveResult =
  | { kind: 'saved'; profile: CloudProfile }
  | { kind: 'stale' }
  | { kind: 'refused'; message: string };

async function saveOrConflict(
  ctx: PushContext,
  profile: Record<string, unknown>,
): Promise<SaveResult> {
  try {
    return { kind: 'saved', profile: await ctx.client.saveProfile(profile) };
  } catch (error) {
    if (!(error instanceof CloudHttpError)) throw error;
    if (error.status === 409) return { kind: 'stale' };
    if (error.status === 400) return { kind: 'refused', message: error.message };
    throw error;
  }
}

/**
 * The cloud deleted the profile (and with it its packages, as ThingsBoard cascades) while its
 * package was changed on site: the technician chooses between creating it again and leaving it.
 */
function profileDeletedConflict(profile: ProfileLink, type: OtaPackageType): PushOutcome {
  const slot = slotName(type);
  return {
    kind: 'conflict',
    message: `Device profile ${profile.name} was deleted in the cloud, but its ${slot} was changed on site`,
    detail: {
      kind: 'PROFILE_DELETED',
      label: `device profile ${profile.name}`,
      local: { 'device profile': profile.name, changed: slot },
      cloud: { 'device profile': null },
      choices: {
        KEEP_MINE: `Create the device profile in the cloud again, with its packages, then push its ${slot}`,
        TAKE_CLOUD: `Leave it deleted in the cloud: the station keeps the profile and its ${slot} for its devices, marked deleted; the change is not pushed`,
      },
      data: { type },
    },
  };
}

function done(ctx: PushContext, profile: ProfileLink, cloud: CloudProfile): PushOutcome {
  return {
    kind: 'done',
    counted: 'assignments',
    apply: () => ctx.deps.profileLinks.setSnapshot(profile.id, cloud),
  };
}

async function profileConflict(
  ctx: PushContext,
  profile: ProfileLink,
  type: OtaPackageType,
  mine: { title: string; version: string } | null,
  theirs: CloudProfile,
): Promise<PushOutcome> {
  const labels = await slotConflictLabels(ctx, type, mine, theirs);
  const { slot, cloudPackageId, mineLabel, theirsLabel } = labels;
  return {
    kind: 'conflict',
    message: `Device profile ${profile.name}: ${labels.said}`,
    detail: {
      kind: 'PROFILE_ASSIGNMENT',
      label: `device profile ${profile.name} (${slot})`,
      local: { 'device profile': profile.name, [slot]: mineLabel },
      cloud: {
        'device profile': theirs.name,
        [slot]: theirsLabel,
        version: theirs.version ?? null,
      },
      choices: {
        KEEP_MINE: `Make ${mineLabel ?? 'nothing'} the profile's ${slot} in the cloud too (over the cloud's latest version)`,
        TAKE_CLOUD: `Make ${theirsLabel ?? 'nothing'} the profile's ${slot} on the station, as in the cloud`,
      },
      data: { cloudProfile: theirs, type, cloudPackageId },
    },
  };
}
