import type { Package } from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';
import { enqueueOutbox } from './outbox';

interface PackageRow {
  id: string;
  title: string;
  version: string;
  tag: string;
  type: OtaPackageType;
  profile_id: string;
  profile_name: string;
  file_name: string;
  content_type: string;
  size: number;
  checksum_algorithm: ChecksumAlgorithm;
  checksum: string;
  sha256: string;
  status: 'READY' | 'CORRUPT';
  status_detail: string | null;
  cloud_id: string | null;
  created_at: number;
  assigned_devices: number;
}

const SELECT_PACKAGES = `
  SELECT k.*, p.name AS profile_name,
    (SELECT count(*) FROM devices d WHERE d.firmware_id = k.id OR d.software_id = k.id) AS assigned_devices
  FROM packages k JOIN device_profiles p ON p.id = k.profile_id`;

function toPackage(row: PackageRow): Package {
  return {
    id: row.id,
    title: row.title,
    version: row.version,
    tag: row.tag,
    type: row.type,
    profileId: row.profile_id,
    profileName: row.profile_name,
    fileName: row.file_name,
    contentType: row.content_type,
    size: row.size,
    checksumAlgorithm: row.checksum_algorithm,
    checksum: row.checksum,
    sha256: row.sha256,
    status: row.status,
    statusDetail: row.status_detail,
    assignedDevices: row.assigned_devices,
    createdAt: row.created_at,
    syncStatus: row.cloud_id ? 'SYNCED' : 'LOCAL',
  };
}

export interface NewPackageRow {
  id: string;
  title: string;
  version: string;
  tag: string;
  type: OtaPackageType;
  profileId: string;
  fileName: string;
  contentType: string;
  size: number;
  checksumAlgorithm: ChecksumAlgorithm;
  checksum: string;
  sha256: string;
}

export class PackageRepository {
  private readonly sql: ReturnType<typeof statementCache>;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(): Package[] {
    return (
      this.sql(`${SELECT_PACKAGES} ORDER BY k.title, k.created_at`).all() as PackageRow[]
    ).map(toPackage);
  }

  find(id: string): Package | undefined {
    const row = this.sql(`${SELECT_PACKAGES} WHERE k.id = ?`).get(id) as PackageRow | undefined;
    return row && toPackage(row);
  }

  get(id: string): Package {
    const found = this.find(id);
    if (!found) throw new ApiError('NOT_FOUND', `Package ${id} does not exist`);
    return found;
  }

  findByTitleVersion(title: string, version: string): Package | undefined {
    const row = this.sql(`${SELECT_PACKAGES} WHERE k.title = ? AND k.version = ?`).get(
      title,
      version,
    ) as PackageRow | undefined;
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
      this.sql(
        `INSERT INTO packages (id, title, version, tag, type, profile_id, file_name, content_type, size,
             checksum_algorithm, checksum, sha256, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.id,
        row.title,
        row.version,
        row.tag,
        row.type,
        row.profileId,
        row.fileName,
        row.contentType,
        row.size,
        row.checksumAlgorithm,
        row.checksum,
        row.sha256,
        now,
      );
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

  setStatus(id: string, status: 'READY' | 'CORRUPT', detail: string | null): void {
    this.sql('UPDATE packages SET status = ?, status_detail = ? WHERE id = ?').run(
      status,
      detail,
      id,
    );
  }

  isBlobReferenced(sha256: string): boolean {
    return this.sql('SELECT 1 FROM packages WHERE sha256 = ?').get(sha256) !== undefined;
  }

  allBlobNames(): Set<string> {
    const rows = this.sql('SELECT DISTINCT sha256 FROM packages').all() as {
      sha256: string;
    }[];
    return new Set(rows.map((r) => r.sha256));
  }
}
