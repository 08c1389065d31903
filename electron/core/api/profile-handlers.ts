import type { ApiContext, DomainHandlers } from './api-context';

/** Device profiles: the families of devices a package is made for. */
export function createProfileHandlers(
  ctx: Pick<ApiContext, 'profiles'>,
): DomainHandlers<'profiles'> {
  return {
    'profiles.list': async () => ctx.profiles.list(),
    'profiles.add': async ({ name, description }) => ctx.profiles.add(name, description),
  };
}
