import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';

/**
 * The packages table in one place: the station's own repository and the cloud sync read and write
 * the same rows, so they share the column names and the way a row becomes fields.
 */

/** A row of the packages table as better-sqlite3 returns it. */
export interface PackageRow {
  id: string;
  title: string;
  version: string;
  tag: string;
  type: OtaPackageType;
  profile_id: string;
  file_name: string;
  content_type: string;
  size: number;
  checksum_algorithm: ChecksumAlgorithm;
  checksum: string;
  sha256: string;
  status: 'READY' | 'CORRUPT';
  status_detail: string | null;
  cloud_id: string | null;
  cloud_deleted_at: number | null;
  created_at: number;
}

/** The file behind a package and its checksums. */
export interface PackageBinary {
  fileName: string;
  contentType: string;
  size: number;
  checksumAlgorithm: ChecksumAlgorithm;
  checksum: string;
  sha256: string;
}

/** What a package is, whether imported on site or pulled from the cloud. */
export interface PackageFields extends PackageBinary {
  title: string;
  version: string;
  tag: string;
  type: OtaPackageType;
  profileId: string;
}

export function packageFieldsOf(row: PackageRow): PackageFields {
  return {
    title: row.title,
    version: row.version,
    tag: row.tag,
    type: row.type,
    profileId: row.profile_id,
    fileName: row.file_name,
    contentType: row.content_type,
    size: row.size,
    checksumAlgorithm: row.checksum_algorithm,
    checksum: row.checksum,
    sha256: row.sha256,
  };
}

/** A stored package: its id, what it is and whether it can be served. */
export interface StoredPackage extends PackageFields {
  id: string;
  status: 'READY' | 'CORRUPT';
}

/** What every reader of a package row starts from (the station's list, the sync). */
export function storedPackageOf(row: PackageRow): StoredPackage {
  return { id: row.id, ...packageFieldsOf(row), status: row.status };
}

/** Writes a new row; `cloudId` is null for a package the cloud does not know yet. */
export function insertPackageRow(
  db: Db,
  id: string,
  fields: PackageFields,
  cloudId: string | null,
  now: number,
): void {
  statementCache(db)(
    `INSERT INTO packages (id, title, version, tag, type, profile_id, file_name, content_type, size,
       checksum_algorithm, checksum, sha256, cloud_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    id,
    fields.title,
    fields.version,
    fields.tag,
    fields.type,
    fields.profileId,
    fields.fileName,
    fields.contentType,
    fields.size,
    fields.checksumAlgorithm,
    fields.checksum,
    fields.sha256,
    cloudId,
    now,
  );
}

/** Whether any package still needs this blob: the one rule for removing a blob file. */
export function isBlobReferenced(db: Db, sha256: string): boolean {
  return statementCache(db)('SELECT 1 FROM packages WHERE sha256 = ?').get(sha256) !== undefined;
}
