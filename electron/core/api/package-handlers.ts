import type { ApiContext, DomainHandlers } from './api-context';

/** The package cache: listing, deleting, re-verifying a binary against its checksum. */
export function createPackageHandlers(
  ctx: Pick<ApiContext, 'packages' | 'store' | 'events' | 'evictServedBinary'>,
): DomainHandlers<'packages'> {
  return {
    'packages.list': async () => ctx.packages.list(),
    'packages.delete': async ({ id }) => {
      const removed = ctx.store.delete(id);
      await ctx.evictServedBinary(removed.sha256);
      ctx.events.emit('package.removed', { id });
      return { id };
    },
    'packages.verify': async ({ id }) => {
      const before = ctx.packages.get(id);
      await ctx.evictServedBinary(before.sha256);
      const verified = await ctx.store.verify(id);
      ctx.events.emit('package.changed', verified);
      return verified;
    },
  };
}
