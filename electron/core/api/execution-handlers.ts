import { ApiError } from '../../../shared/api/errors';
import type { ApiContext, DomainHandlers } from './api-context';

/** Executions: each delivery of a package to a device, and retrying a failed one. */
export function createExecutionHandlers(
  ctx: Pick<ApiContext, 'devices' | 'executions' | 'notifier' | 'jobs'>,
): DomainHandlers<'executions'> {
  return {
    'executions.list': async ({ deviceId, limit }) => {
      if (deviceId && !ctx.devices.identity(deviceId))
        throw new ApiError('NOT_FOUND', `Device ${deviceId} does not exist`);
      // Progress still held in memory is written first, so the list is current.
      ctx.notifier.flush();
      return ctx.executions.list({ deviceId, limit });
    },
    'executions.retry': async ({ id }) => ctx.jobs.retryExecution(id),
  };
}
