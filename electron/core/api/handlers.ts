import type { ApiHandlers } from '../../../shared/api/operations';
import { createSyncHandlers } from '../sync/sync-handlers';
import type { ApiContext } from './api-context';
import { createAssignmentHandlers } from './assignment-handlers';
import { createDeviceHandlers } from './device-handlers';
import { createExecutionHandlers } from './execution-handlers';
import { createJobHandlers } from './job-handlers';
import { createPackageHandlers } from './package-handlers';
import { createProfileHandlers } from './profile-handlers';
import { createStationHandlers } from './station-handlers';

export type { ApiContext } from './api-context';

/**
 * The application API on top of the station core, one module per domain (the operations'
 * name prefix); transports validate arguments before.
 */
export function createApiHandlers(ctx: ApiContext): ApiHandlers {
  return {
    ...createStationHandlers(ctx),
    ...createProfileHandlers(ctx),
    ...createDeviceHandlers(ctx),
    ...createPackageHandlers(ctx),
    ...createAssignmentHandlers(ctx),
    ...createExecutionHandlers(ctx),
    ...createJobHandlers(ctx),
    ...createSyncHandlers(ctx.sync),
  };
}
