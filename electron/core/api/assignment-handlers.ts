import type { ApiContext, DomainHandlers } from './api-context';

/** One package assigned to one device (a job of one), or taken back. */
export function createAssignmentHandlers(
  ctx: Pick<ApiContext, 'jobs' | 'ota' | 'devices' | 'packages' | 'events'>,
): DomainHandlers<'assignments'> {
  return {
    'assignments.assign': async ({ deviceId, packageId }) => {
      const execution = ctx.jobs.assignOne(deviceId, packageId);
      ctx.events.emit('package.changed', ctx.packages.get(packageId));
      return execution;
    },
    'assignments.unassign': async ({ deviceId, type }) => {
      const packageId = ctx.devices.assignedPackageId(deviceId, type);
      ctx.ota.unassign(deviceId, type);
      if (packageId) ctx.events.emit('package.changed', ctx.packages.get(packageId));
      return { deviceId, type };
    },
  };
}
