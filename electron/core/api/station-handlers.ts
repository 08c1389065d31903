import type { ApiContext, DomainHandlers } from './api-context';

/** The station itself: where devices connect, who is connected, what they got wrong. */
export function createStationHandlers(
  ctx: Pick<ApiContext, 'status' | 'setSiteNetwork' | 'errors' | 'sessions'>,
): DomainHandlers<'station'> {
  return {
    'station.status': async () => ctx.status(),
    'station.setSiteNetwork': async ({ enabled }) => {
      await ctx.setSiteNetwork(enabled);
      return ctx.status();
    },
    'station.protocolErrors': async ({ limit }) => ctx.errors.recent(limit),
    'station.sessions': async () => ctx.sessions.list(),
  };
}
