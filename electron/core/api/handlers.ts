import type { JobRepository } from '../jobs/job-repository';
import type { JobService } from '../jobs/job-service';
import { createDeviceHandlers } from './device-handlers';
import { createJobHandlers } from './job-handlers';
import { createProfileHandlers } from './profile-handlers';
import type { ProfileRollout } from '../jobs/profile-rollout';
import type { ApiHandlers } from '../../../shared/api/operations';
import { ApiError } from '../../../shared/api/errors';
import type { StationStatus } from '../../../shared/api/entities';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import type { SessionRegistry } from '../device-api/session-registry';
import type { OtaService } from '../ota/ota-service';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { PackageStore } from '../packages/package-store';
import type { AttributeRepository } from '../repositories/attributes';
import type { DeviceRepository } from '../repositories/devices';
import type { ExecutionRepository } from '../repositories/executions';
import type { PackageRepository } from '../repositories/packages';
import type { ProfileRepository } from '../repositories/profiles';
import type { TelemetryRepository } from '../repositories/telemetry';
import type { StationEvents } from '../station-events';
import { createSyncHandlers } from '../sync/sync-handlers';
import type { SyncService } from '../sync/sync-service';

export interface ApiContext {
  profiles: ProfileRepository;
  devices: DeviceRepository;
  packages: PackageRepository;
  executions: ExecutionRepository;
  attributes: AttributeRepository;
  telemetry: TelemetryRepository;
  store: PackageStore;
  ota: OtaService;
  notifier: ChangeNotifier;
  sessions: SessionRegistry;
  errors: ProtocolErrorLog;
  events: StationEvents;
  status(): StationStatus;
  /** Moves the device API listener (site network or this computer only) and saves the choice. */
  setSiteNetwork(enabled: boolean): Promise<void>;
  /** Drops a package's served copy so a deleted or re-verified binary is re-read. */
  evictServedBinary(sha256: string): Promise<void>;
  /** Cloud sync (the cloud.* operations). */
  sync: SyncService;
  jobs: JobService;
  jobRepo: JobRepository;
  rollout: ProfileRollout;
}

/** The application API on top of the station core; transports validate arguments before. */
export function createApiHandlers(ctx: ApiContext): ApiHandlers {
  const isOnline = ctx.sessions.isOnline;
  return {
    'station.status': async () => ctx.status(),
    'station.setSiteNetwork': async ({ enabled }) => {
      await ctx.setSiteNetwork(enabled);
      return ctx.status();
    },
    'station.protocolErrors': async ({ limit }) => ctx.errors.recent(limit),
    'station.sessions': async () => ctx.sessions.list(),

    'profiles.list': async () => ctx.profiles.list(),
    'profiles.add': async ({ name, description }) => ctx.profiles.add(name, description),

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

    'assignments.assign': async ({ deviceId, packageId }) => {
      const execution = ctx.jobs.assignOne(deviceId, packageId);
      ctx.events.emit('package.changed', ctx.packages.get(packageId));
      return execution;
    },
    'assignments.unassign': async ({ deviceId, type }) => {
      const before = ctx.devices.assignedPackageId(deviceId, type);
      ctx.jobs.unassign(deviceId, type);
      const after = ctx.devices.assignedPackageId(deviceId, type);
      if (before !== after) {
        for (const id of [before, after])
          if (id) ctx.events.emit('package.changed', ctx.packages.get(id));
      }
      return { deviceId, type };
    },

    'executions.list': async ({ deviceId, limit }) => {
      if (deviceId && !ctx.devices.identity(deviceId))
        throw new ApiError('NOT_FOUND', `Device ${deviceId} does not exist`);
      // Progress still held in memory is written first, so the list is current.
      ctx.notifier.flush();
      return ctx.executions.list({ deviceId, limit });
    },

    ...createDeviceHandlers(ctx),
    ...createProfileHandlers(ctx),
    ...createJobHandlers(ctx),
    ...createSyncHandlers(ctx.sync),
  };
}
