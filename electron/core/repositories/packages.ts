import type { Package } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { Db } from '../storage/database';
import { type StatementCache, statementCache } from '../storage/statements';
import { enqueueOutbox } from './outbox';
import {
  insertPackageRow,
  isBlobReferenced,
  type PackageFields,
  type PackageRow,
  storedPackageOf,
} from './package-row';

/** A packages row with what the listing joins to it. */
interface PackageListRow extends PackageRow {
  profile_name: string;
  assigned_devices: number;
}

// The devices that get the package: as their own, or from their profile (the resolution of
// DeviceRepository).
const SELECT_PACKAGES = `
  SELECT k.*, p.name AS profile_name,
    (SELECT count(*) FROM devices d JOIN device_profiles dp ON dp.id = d.profile_id
      WHERE COALESCE(d.firmware_id, dp.firmware_id) = k.id
        OR COALESCE(d.software_id, dp.software_id) = k.id) AS assigned_devices
  FROM packages k JOIN device_profiles p ON p.id = k.profile_id`;

function toPackage(row: PackageListRow): Package {
  return {
    ...storedPackageOf(row),
    profileName: row.profile_name,
    statusDetail: row.status_detail,
    assignedDevices: row.assigned_devices,
    createdAt: row.created_at,
    syncStatus: row.cloud_id ? 'SYNCED' : 'LOCAL',
  };
}

export interface NewPackageRow extends PackageFields {
  id: string;
}

export class PackageRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(): Package[] {
    return this.sql<[], PackageListRow>(`${SELECT_PACKAGES} ORDER BY k.title, k.created_at`)
      .all()
      .map(toPackage);
  }

  find(id: string): Package | undefined {
    const row = this.sql<[string], PackageListRow>(`${SELECT_PACKAGES} WHERE k.id = ?`).get(id);
    return row && toPackage(row);
  }

  get(id: string): Package {
    const found = this.find(id);
    if (!found) throw new ApiError('NOT_FOUND', `Package ${id} does not exist`);
    return found;
  }

  findByTitleVersion(title: string, version: string): Package | undefined {
    const row = this.sql<[string, string], PackageListRow>(
      `${SELECT_PACKAGES} WHERE k.title = ? AND k.version = ?`,
    ).get(title, version);
    return row && toPackage(row);
  }

  assertTitleVersionFree(title: string, version: string): void {
    if (this.sql('SELECT 1 FROM packages WHERE title = ? AND version = ?').get(title, version)) {
      throw new ApiError(
        'CONFLICT',
        `A package titled "${title}" with version "${version}" already exists`,
        {
          version: 'title and version already exist',
        },
      );
    }
  }

  /** Inserts the row and its outbox entry together. */
  insert(row: NewPackageRow, now = Date.now()): Package {
    return this.db.transaction(() => {
      this.assertTitleVersionFree(row.title, row.version);
      insertPackageRow(this.db, row.id, row, null, now);
      enqueueOutbox(this.db, {
        kind: 'package.created',
        entityId: row.id,
        payload: { ...row },
        now,
      });
      return this.get(row.id);
    })();
  }

  delete(id: string): void {
    this.db.transaction(() => {
      const found = this.get(id);
      const profile = this.sql(
        'SELECT name FROM device_profiles WHERE firmware_id = ? OR software_id = ? LIMIT 1',
      ).get(id, id) as { name: string } | undefined;
      if (profile) {
        throw new ApiError(
          'CONFLICT',
          `Package ${found.title} ${found.version} is the ${found.type.toLowerCase()} of device profile ${profile.name}; un-assign it from the profile first`,
        );
      }
      if (found.assignedDevices > 0) {
        throw new ApiError(
          'CONFLICT',
          `Package ${found.title} ${found.version} is assigned to ${found.assignedDevices} device(s); un-assign it first`,
        );
      }
      this.sql('DELETE FROM packages WHERE id = ?').run(id);
      enqueueOutbox(this.db, {
        kind: 'package.deleted',
        entityId: id,
        payload: { title: found.title, version: found.version },
      });
    })();
  }

  /** A package's status alone (no device count): undefined when it no longer exists. */
  status(id: string): Package['status'] | undefined {
    return this.sql<[string], { status: Package['status'] }>(
      'SELECT status FROM packages WHERE id = ?',
    ).get(id)?.status;
  }

  setStatus(id: string, status: 'READY' | 'CORRUPT', detail: string | null): void {
    this.sql('UPDATE packages SET status = ?, status_detail = ? WHERE id = ?').run(
      status,
      detail,
      id,
    );
  }

  isBlobReferenced(sha256: string): boolean {
    return isBlobReferenced(this.db, sha256);
  }

  allBlobNames(): Set<string> {
    const rows = this.sql<[], { sha256: string }>('SELECT DISTINCT sha256 FROM packages').all();
    return new Set(rows.map((r) => r.sha256));
  }
}
