import { randomUUID } from 'node:crypto';

import type { Db } from '../storage/database';
import { CloudProfile } from '../sync/cloud-types';
import { linkToCloud, snapshotOf, unlinkFromCloud } from './cloud-columns';
import { CloudLinkedRows } from './cloud-linked-rows';
import type { ProfileRow } from './profiles';

/** A device profile as the sync sees it: with its cloud id and the cloud's last copy. */
export interface ProfileLink {
  id: string;
  name: string;
  description: string;
  firmwareId: string | null;
  softwareId: string | null;
  cloudId: string | null;
  /** The profile as the cloud last showed it. */
  snapshot: CloudProfile | null;
}

function toProfileLink(row: ProfileRow): ProfileLink {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    firmwareId: row.firmware_id,
    softwareId: row.software_id,
    cloudId: row.cloud_id,
    snapshot: snapshotOf(CloudProfile, row.cloud_snapshot),
  };
}

/**
 * The device_profiles table as the sync reads and writes it. Profiles pulled from the cloud are
 * written here directly, without outbox entries: the cloud already knows them.
 */
export class CloudProfileLinks extends CloudLinkedRows<ProfileRow, ProfileLink> {
  constructor(db: Db) {
    super(db, 'device_profiles', toProfileLink);
  }

  byName(name: string): ProfileLink | undefined {
    return this.rows.one('name = ?', name);
  }

  link(id: string, cloudId: string): void {
    linkToCloud(this.db, 'device_profiles', id, cloudId);
  }

  /** Forgets the cloud's copy (deleted there): the profile is to be created in the cloud anew. */
  unlink(id: string): void {
    unlinkFromCloud(this.db, 'device_profiles', id);
    this.sql<[string]>('UPDATE device_profiles SET cloud_snapshot = NULL WHERE id = ?').run(id);
  }

  /** The profile as the cloud now has it: the base a change of the site's is saved over. */
  setSnapshot(id: string, cloud: CloudProfile): void {
    this.sql<[string, string]>('UPDATE device_profiles SET cloud_snapshot = ? WHERE id = ?').run(
      JSON.stringify(cloud),
      id,
    );
  }

  /** Inserts or updates the local copy of a cloud profile; returns what happened. */
  upsertPulled(cloud: CloudProfile, now: number): 'added' | 'updated' | 'unchanged' {
    const description = cloud.description ?? '';
    const existing = this.byCloudId(cloud.id.id);
    if (existing) {
      if (existing.name === cloud.name && existing.description === description) {
        this.sql<[string]>('UPDATE device_profiles SET cloud_deleted_at = NULL WHERE id = ?').run(
          existing.id,
        );
        return 'unchanged';
      }
      // Another local profile may hold the new name: then the name stays (it is only a label).
      const clash = this.byName(cloud.name);
      const name = clash && clash.id !== existing.id ? existing.name : cloud.name;
      this.sql<[string, string, string]>(
        'UPDATE device_profiles SET name = ?, description = ?, cloud_deleted_at = NULL WHERE id = ?',
      ).run(name, description, existing.id);
      return 'updated';
    }
    const sameName = this.byName(cloud.name);
    if (sameName) {
      // A profile made on site with the cloud's name is that profile: adopt it.
      if (sameName.cloudId === null) {
        this.link(sameName.id, cloud.id.id);
        return 'updated';
      }
      return 'unchanged';
    }
    this.sql<[string, string, string, string, number]>(
      'INSERT INTO device_profiles (id, name, description, cloud_id, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(randomUUID(), cloud.name, description, cloud.id.id, now);
    return 'added';
  }
}
