import { ApiError } from '../../../shared/api/errors';
import type { ApiContext, DomainHandlers } from './api-context';

/**
 * The devices the station serves. Editing one on site changes its name and label, which only
 * people read, and its device profile (whose packages it then follows, as in ThingsBoard;
 * refused while it has a package of its own, which belongs to the old profile). The access
 * token is not editable here: a new token only works once the device itself is given it (the
 * cloud and the station would otherwise refuse the device they serve).
 */
export function createDeviceHandlers(
  ctx: Pick<
    ApiContext,
    | 'devices'
    | 'sessions'
    | 'events'
    | 'executions'
    | 'attributes'
    | 'telemetry'
    | 'errors'
    | 'notifier'
    | 'rollout'
  >,
): DomainHandlers<'devices'> {
  const isOnline = ctx.sessions.isOnline;
  return {
    // Last-seen times still held in memory are written first, so the answer is current.
    'devices.list': async () => {
      ctx.notifier.flush();
      return ctx.devices.list(isOnline);
    },
    'devices.get': async ({ id }) => {
      ctx.notifier.flush();
      const device = ctx.devices.get(id, isOnline);
      return {
        ...device,
        clientAttributes: ctx.attributes.get(id, 'CLIENT'),
        sharedAttributes: ctx.attributes.get(id, 'SHARED'),
        latestTelemetry: ctx.telemetry.latest(id),
      };
    },
    'devices.add': async (args) => {
      const id = ctx.devices.add(args);
      ctx.rollout.deviceJoined(id, null);
      const device = ctx.devices.get(id, isOnline);
      ctx.events.emit('device.changed', device);
      return device;
    },
    'devices.history': async ({ id, limit }) => {
      if (!ctx.devices.identity(id)) throw new ApiError('NOT_FOUND', `Device ${id} does not exist`);
      // Progress still held in memory is written first, so the attempts' bytes are current.
      ctx.notifier.flush();
      return {
        deviceId: id,
        executions: ctx.executions.list({ deviceId: id, limit }),
        telemetry: ctx.telemetry.recent(id, limit),
        protocolErrors: ctx.errors.forDevice(id, limit),
      };
    },
    'devices.update': async ({ id, name, label, profileId }) => {
      const before = ctx.rollout.resolved(id);
      const { edited, moved } = ctx.devices.update(id, { name, label, profileId });
      if (moved) ctx.rollout.deviceJoined(id, before);
      const device = ctx.devices.get(id, ctx.sessions.isOnline);
      if (edited || moved) ctx.events.emit('device.changed', device);
      return device;
    },
  };
}
