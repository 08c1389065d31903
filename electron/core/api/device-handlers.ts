import type { ApiHandlers } from '../../../shared/api/operations';
import type { SessionRegistry } from '../device-api/session-registry';
import type { DeviceRepository } from '../repositories/devices';
import type { StationEvents } from '../station-events';

/**
 * Editing a device on site: its name and label, which only people read. The access token and
 * the device profile are not editable here: a new token only works once the device itself is
 * given it (the cloud and the station would otherwise refuse the device they serve), and a new
 * profile changes which packages fit it (assignments and jobs would no longer match).
 */
export function createDeviceHandlers(ctx: {
  devices: DeviceRepository;
  sessions: Pick<SessionRegistry, 'isOnline'>;
  events: StationEvents;
}): Pick<ApiHandlers, 'devices.update'> {
  return {
    'devices.update': async ({ id, name, label }) => {
      const changed = ctx.devices.update(id, { name, label });
      const device = ctx.devices.get(id, ctx.sessions.isOnline);
      if (changed) ctx.events.emit('device.changed', device);
      return device;
    },
  };
}
