import type { CloudClient } from '../cloud-client';
import type { CloudProfile } from '../cloud-types';
import type { ProgressReporter, SyncDeps } from '../sync-deps';
import { listAll } from './list-all';
import { hasLocalChanges } from './pull-devices';

export interface ProfilesPulled {
  listed: CloudProfile[];
  added: number;
  updated: number;
}

export async function pullProfiles(
  deps: SyncDeps,
  client: CloudClient,
  progress: ProgressReporter,
): Promise<ProfilesPulled> {
  const listed = await listAll(
    (page) => client.profilesPage(page, deps.pageSize),
    (done, total) => progress('device profiles', done, total),
  );
  let added = 0;
  let updated = 0;
  deps.db.transaction(() => {
    for (const profile of listed) {
      const outcome = deps.profileLinks.upsertPulled(profile, deps.now());
      if (outcome === 'added') added += 1;
      if (outcome === 'updated') updated += 1;
      // A change of the site's still to push keeps the copy it was made on (its version).
      const local = deps.profileLinks.byCloudId(profile.id.id);
      if (local && !hasLocalChanges(deps, local.id))
        deps.profileLinks.setSnapshot(local.id, profile);
    }
  })();
  return { listed, added, updated };
}
