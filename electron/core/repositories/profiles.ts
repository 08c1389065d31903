import { randomUUID } from 'node:crypto';

import type { Profile, ProfilePackage } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';
import { enqueueOutbox } from './outbox';

/** A row of the device_profiles table as better-sqlite3 returns it (the sync reads it too). */
export interface ProfileRow {
  id: string;
  name: string;
  description: string;
  cloud_id: string | null;
  created_at: number;
  cloud_deleted_at: number | null;
  firmware_id: string | null;
  software_id: string | null;
  cloud_snapshot: string | null;
}

/** A device_profiles row with its packages' titles and versions joined. */
interface ProfileListRow extends ProfileRow {
  fw_title: string | null;
  fw_version: string | null;
  sw_title: string | null;
  sw_version: string | null;
}

const SELECT_PROFILES = `
  SELECT p.*, fw.title AS fw_title, fw.version AS fw_version,
    sw.title AS sw_title, sw.version AS sw_version
  FROM device_profiles p
  LEFT JOIN packages fw ON fw.id = p.firmware_id
  LEFT JOIN packages sw ON sw.id = p.software_id`;

const PACKAGE_COLUMN = { FIRMWARE: 'firmware_id', SOFTWARE: 'software_id' } as const;

function packageOf(
  packageId: string | null,
  title: string | null,
  version: string | null,
): ProfilePackage | null {
  return packageId ? { packageId, title: title ?? '', version: version ?? '' } : null;
}

function toProfile(row: ProfileListRow): Profile {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    firmware: packageOf(row.firmware_id, row.fw_title, row.fw_version),
    software: packageOf(row.software_id, row.sw_title, row.sw_version),
    createdAt: row.created_at,
    syncStatus: row.cloud_id ? 'SYNCED' : 'LOCAL',
  };
}

export class ProfileRepository {
  private readonly sql: ReturnType<typeof statementCache>;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(): Profile[] {
    const rows = this.sql<[], ProfileListRow>(`${SELECT_PROFILES} ORDER BY p.name`).all();
    return rows.map(toProfile);
  }

  find(id: string): Profile | undefined {
    const row = this.sql<[string], ProfileListRow>(`${SELECT_PROFILES} WHERE p.id = ?`).get(id);
    return row && toProfile(row);
  }

  get(id: string): Profile {
    const profile = this.find(id);
    if (!profile) throw new ApiError('NOT_FOUND', `Device profile ${id} does not exist`);
    return profile;
  }

  add(name: string, description: string, now = Date.now()): Profile {
    const id = randomUUID();
    return this.db.transaction(() => {
      const exists = this.sql('SELECT 1 FROM device_profiles WHERE name = ?').get(name);
      if (exists) throw new ApiError('CONFLICT', `A device profile named "${name}" already exists`);
      this.sql(
        'INSERT INTO device_profiles (id, name, description, created_at) VALUES (?, ?, ?, ?)',
      ).run(id, name, description, now);
      enqueueOutbox(this.db, {
        kind: 'profile.created',
        entityId: id,
        payload: { name, description },
        now,
      });
      return this.get(id);
    })();
  }

  /** The profile's package of a type (null: none); callers check the profile exists. */
  packageId(profileId: string, type: OtaPackageType): string | null {
    const row = this.sql(
      `SELECT ${PACKAGE_COLUMN[type]} AS packageId FROM device_profiles WHERE id = ?`,
    ).get(profileId) as { packageId: string | null } | undefined;
    return row?.packageId ?? null;
  }

  /** Sets or clears the profile's package of a type. Callers wrap it in their transaction. */
  setPackage(profileId: string, type: OtaPackageType, packageId: string | null): void {
    this.sql(`UPDATE device_profiles SET ${PACKAGE_COLUMN[type]} = ? WHERE id = ?`).run(
      packageId,
      profileId,
    );
  }
}
