import type { CloudClient } from '../cloud-client';
import { CloudHttpError } from '../cloud-errors';
import type { CloudProfile } from '../cloud-types';
import { goneOnSite } from './gone-on-site';
import type { Pusher } from './push-types';

/** A profile added on site. One of that name in the cloud is the same profile: adopted. */
export const pushProfileCreated: Pusher = async ({ deps, client }, item) => {
  const profile = deps.profileLinks.get(item.entityId);
  if (!profile) return goneOnSite('the profile no longer exists on the station');
  if (profile.cloudId) return { kind: 'done', counted: 'settled' };
  let cloud: CloudProfile | undefined;
  try {
    cloud = await client.createProfile(profile.name, profile.description);
  } catch (error) {
    if (!(error instanceof CloudHttpError && error.status === 400)) throw error;
    // Most likely "already exists" (ours, from an answer that never arrived, or the console's).
    cloud = await findProfileByName(client, profile.name, 100);
    if (!cloud)
      return {
        kind: 'failed',
        message: `The cloud refused device profile ${profile.name}: ${error.message}`,
      };
  }
  const cloudId = cloud.id.id;
  return {
    kind: 'done',
    counted: 'profiles',
    apply: () => {
      deps.profileLinks.link(profile.id, cloudId);
      if (cloud) deps.profileLinks.setSnapshot(profile.id, cloud);
    },
  };
};

export async function findProfileByName(
  client: CloudClient,
  name: string,
  pageSize: number,
): Promise<CloudProfile | undefined> {
  for (let page = 0; page < 1000; page += 1) {
    const result = await client.profilesPage(page, pageSize, name);
    const found = result.data.find((p) => p.name === name);
    if (found) return found;
    if (!result.hasNext) return undefined;
  }
  return undefined;
}
