import { randomUUID } from 'node:crypto';

import type { Db } from '../storage/database';
import { type RowLookup, rowLookup } from '../storage/row-lookup';
import { type StatementCache, statementCache } from '../storage/statements';
import { linkToCloud, markCloudDeleted, unlinkFromCloud } from './cloud-columns';
import {
  insertPackageRow,
  isBlobReferenced,
  type PackageBinary,
  type PackageFields,
  packageFieldsOf,
  type PackageRow,
} from './package-row';

/** A package as the sync sees it: with its cloud id. */
export interface PackageLink extends PackageFields {
  id: string;
  status: 'READY' | 'CORRUPT';
  cloudId: string | null;
  cloudDeletedAt: number | null;
}

function toPackageLink(row: PackageRow): PackageLink {
  return {
    id: row.id,
    ...packageFieldsOf(row),
    status: row.status,
    cloudId: row.cloud_id,
    cloudDeletedAt: row.cloud_deleted_at,
  };
}

export interface NewPulledPackage extends PackageFields {
  cloudId: string;
}

/**
 * The packages table as the sync reads and writes it. Packages pulled from the cloud are written
 * here directly, without outbox entries: the cloud already knows them.
 */
export class CloudPackageLinks {
  private readonly sql: StatementCache;
  private readonly rows: RowLookup<PackageLink>;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
    this.rows = rowLookup(db, 'SELECT * FROM packages', toPackageLink);
  }

  get(id: string): PackageLink | undefined {
    return this.rows.one('id = ?', id);
  }

  byCloudId(cloudId: string): PackageLink | undefined {
    return this.rows.one('cloud_id = ?', cloudId);
  }

  byTitleVersion(title: string, version: string): PackageLink | undefined {
    return this.rows.one('title = ? AND version = ?', title, version);
  }

  withCloudId(): PackageLink[] {
    return this.rows.all('cloud_id IS NOT NULL');
  }

  /** The packages of a device profile that the cloud has (or had). */
  linkedOfProfile(profileId: string): PackageLink[] {
    return this.rows.all('profile_id = ? AND cloud_id IS NOT NULL', profileId);
  }

  link(id: string, cloudId: string): void {
    linkToCloud(this.db, 'packages', id, cloudId);
  }

  /** Forgets the cloud's copy (deleted there): the package is to be created in the cloud anew. */
  unlink(id: string): void {
    unlinkFromCloud(this.db, 'packages', id);
  }

  insertPulled(pkg: NewPulledPackage, now: number): string {
    const id = randomUUID();
    insertPackageRow(this.db, id, pkg, pkg.cloudId, now);
    return id;
  }

  /** The cloud's binary replaces the local one (a conflict resolved with "take the cloud's"). */
  replaceBinary(id: string, binary: PackageBinary, cloudId: string): void {
    this.sql(
      `UPDATE packages SET file_name = ?, content_type = ?, size = ?, checksum_algorithm = ?, checksum = ?,
         sha256 = ?, status = 'READY', status_detail = NULL, cloud_id = ?, cloud_deleted_at = NULL WHERE id = ?`,
    ).run(
      binary.fileName,
      binary.contentType,
      binary.size,
      binary.checksumAlgorithm,
      binary.checksum,
      binary.sha256,
      cloudId,
      id,
    );
  }

  /** Whether a device holds the package as its own or a job ever delivered it. */
  inUse(id: string): boolean {
    return (
      this.sql<[string, string]>(
        'SELECT 1 FROM devices WHERE firmware_id = ? OR software_id = ? LIMIT 1',
      ).get(id, id) !== undefined ||
      this.sql<[string]>('SELECT 1 FROM executions WHERE package_id = ? LIMIT 1').get(id) !==
        undefined
    );
  }

  markDeleted(id: string, now: number): void {
    markCloudDeleted(this.db, 'packages', id, now);
  }

  delete(id: string): void {
    this.sql<[string]>('DELETE FROM packages WHERE id = ?').run(id);
  }

  isBlobReferenced(sha256: string): boolean {
    return isBlobReferenced(this.db, sha256);
  }
}
