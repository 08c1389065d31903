import { slotOf } from '../../../shared/api/slots';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { ApiContext, DomainHandlers } from './api-context';

/**
 * Device profiles: the families of devices a package is made for, and a profile's own firmware
 * and software, which every device of it without a package of its own follows (profile-rollout.ts).
 */
export function createProfileHandlers(
  ctx: Pick<ApiContext, 'profiles' | 'rollout' | 'packages' | 'events'>,
): DomainHandlers<'profiles'> {
  /** Every open UI hears of the profile, and of both packages' new device counts. */
  const announce = (profileId: string, type: OtaPackageType, before: string | null) => {
    const profile = ctx.profiles.get(profileId);
    ctx.events.emit('profile.changed', profile);
    const after = slotOf(profile, type)?.packageId ?? null;
    for (const id of new Set([before, after])) {
      const pkg = id ? ctx.packages.find(id) : undefined;
      if (pkg) ctx.events.emit('package.changed', pkg);
    }
  };
  return {
    'profiles.list': async () => ctx.profiles.list(),
    'profiles.add': async ({ name, description }) => ctx.profiles.add(name, description),
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
