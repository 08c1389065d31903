import { PARTIAL_SUFFIX } from '../../packages/partial-downloads';
import type { CloudPackageInfo } from '../cloud-types';
import { partialKey } from '../partial-key';
import type { SyncDeps } from '../sync-deps';

/**
 * Deletes the partial downloads no pull can use any more: those of packages the cloud no longer
 * lists or whose binary changed there (their key is not among the listed ones), and stale ones
 * (PARTIAL_MAX_AGE_MS). Partials of listed packages this pull does not fetch stay: the technician
 * may pick those devices next time. Call it with the complete list only: a partial list would
 * delete partials that are still wanted.
 */
export function prunePartials(deps: SyncDeps, listed: readonly CloudPackageInfo[]): void {
  const keep = new Set(listed.filter((p) => p.hasData).map(partialKey));
  const removed = deps.packageStore.blobs.partials
    .prune({ keep, now: deps.now() })
    .filter((name) => name.endsWith(PARTIAL_SUFFIX));
  if (removed.length > 0)
    deps.log(
      'info',
      `Deleted ${removed.length} unfinished download(s) no longer of use (the package left the cloud, its binary changed, or it is over a week old)`,
    );
}
