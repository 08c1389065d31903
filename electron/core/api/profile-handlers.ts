import type { ApiHandlers } from '../../../shared/api/operations';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { ProfileRollout } from '../jobs/profile-rollout';
import type { PackageRepository } from '../repositories/packages';
import type { ProfileRepository } from '../repositories/profiles';
import type { StationEvents } from '../station-events';

/** A device profile's own firmware and software (see profile-rollout.ts). */
export function createProfileHandlers(ctx: {
  rollout: ProfileRollout;
  profiles: ProfileRepository;
  packages: PackageRepository;
  events: StationEvents;
}): Pick<ApiHandlers, 'profiles.assign' | 'profiles.unassign'> {
  /** Every open UI hears of the profile, and of both packages' new device counts. */
  const announce = (profileId: string, type: OtaPackageType, before: string | null) => {
    const profile = ctx.profiles.get(profileId);
    ctx.events.emit('profile.changed', profile);
    const after = (type === 'FIRMWARE' ? profile.firmware : profile.software)?.packageId ?? null;
    for (const id of new Set([before, after])) {
      const pkg = id ? ctx.packages.find(id) : undefined;
      if (pkg) ctx.events.emit('package.changed', pkg);
    }
  };
  return {
    'profiles.assign': async ({ profileId, packageId, policy }) => {
      const type = ctx.packages.get(packageId).type;
      const before = ctx.profiles.packageId(profileId, type);
      const result = ctx.rollout.assign(profileId, packageId, policy);
      if (result.changed) announce(profileId, type, before);
      return result;
    },
    'profiles.unassign': async ({ profileId, type }) => {
      const before = ctx.profiles.packageId(profileId, type);
      const result = ctx.rollout.unassign(profileId, type);
      if (result.changed) announce(profileId, type, before);
      return result;
    },
  };
}
