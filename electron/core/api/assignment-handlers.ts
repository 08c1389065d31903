import type { ApiContext, DomainHandlers } from './api-context';

/** One package assigned to one device (a job of one), or taken back. */
export function createAssignmentHandlers(
  ctx: Pick<ApiContext, 'jobs' | 'devices' | 'packages' | 'events'>,
): DomainHandlers<'assignments'> {
  return {
    'assignments.assign': async ({ deviceId, packageId }) => {
      const execution = ctx.jobs.assignOne(deviceId, packageId);
      ctx.events.emit('package.changed', ctx.packages.get(packageId));
      return execution;
    },
    'assignments.unassign': async ({ deviceId, type }) => {
      // With its own package gone, the device may fall back to its profile's: both change.
      const before = ctx.devices.assignedPackageId(deviceId, type);
      ctx.jobs.unassign(deviceId, type);
      const after = ctx.devices.assignedPackageId(deviceId, type);
      if (before !== after) {
        for (const id of [before, after])
          if (id) ctx.events.emit('package.changed', ctx.packages.get(id));
      }
      return { deviceId, type };
    },
  };
}
