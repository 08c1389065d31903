import type { ApiHandlers, OperationName } from '../../../shared/api/operations';
import type { SyncService } from './sync-service';

type CloudOperation = Extract<OperationName, `cloud.${string}`>;

/** The cloud.* operations of the application API (arguments already validated). */
export function createSyncHandlers(sync: SyncService): Pick<ApiHandlers, CloudOperation> {
  return {
    'cloud.status': async () => sync.status(),
    'cloud.login': ({ url, username, password }) => sync.login(url, username, password),
    'cloud.logout': () => sync.logout(),
    'cloud.pull': (args) => sync.pull(args),
    'cloud.push': () => sync.push(),
    'cloud.pending': async () => sync.pending(),
    'cloud.conflicts': async () => sync.conflicts(),
    'cloud.resolveConflict': ({ id, choice }) => sync.resolveConflict(id, choice),
    'cloud.retryItem': async ({ id }) => sync.retryItem(id),
    'cloud.discardItem': async ({ id }) => sync.discardItem(id),
    'cloud.log': async ({ limit }) => sync.recentLog(limit),
    'cloud.packages': async () => sync.cloudPackages(),
    'cloud.setAutoSync': async ({ enabled }) => sync.setAutoSync(enabled),
  };
}
