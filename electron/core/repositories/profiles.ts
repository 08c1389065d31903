import { randomUUID } from 'node:crypto';
import type { Profile } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
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
}

function toProfile(row: ProfileRow): Profile {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
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
    const rows = this.sql<[], ProfileRow>('SELECT * FROM device_profiles ORDER BY name').all();
    return rows.map(toProfile);
  }

  find(id: string): Profile | undefined {
    const row = this.sql<[string], ProfileRow>('SELECT * FROM device_profiles WHERE id = ?').get(
      id,
    );
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
}
