import { ApiError } from '../../../shared/api/errors';
import type { ApiHandlers } from '../../../shared/api/operations';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import type { SessionRegistry } from '../device-api/session-registry';
import type { ProfileRollout } from '../jobs/profile-rollout';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { DeviceRepository } from '../repositories/devices';
import type { ExecutionRepository } from '../repositories/executions';
import type { TelemetryRepository } from '../repositories/telemetry';
import type { StationEvents } from '../station-events';

/**
 * Editing a device on site: its name and label, which only people read, and its device profile
 * (whose packages it then follows, as in ThingsBoard; refused while it has a package of its
 * own, which belongs to the old profile). The access token is not editable here: a new token
 * only works once the device itself is given it (the cloud and the station would otherwise
 * refuse the device they serve).
 */
export function createDeviceHandlers(ctx: {
  devices: DeviceRepository;
  sessions: Pick<SessionRegistry, 'isOnline'>;
  events: StationEvents;
  executions: ExecutionRepository;
  telemetry: TelemetryRepository;
  errors: Pick<ProtocolErrorLog, 'forDevice'>;
  notifier: Pick<ChangeNotifier, 'flush'>;
  rollout: Pick<ProfileRollout, 'resolved' | 'deviceJoined'>;
}): Pick<ApiHandlers, 'devices.update' | 'devices.history'> {
  return {
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
