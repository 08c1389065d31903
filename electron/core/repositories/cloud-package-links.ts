import { randomUUID } from 'node:crypto';

import type { Db } from '../storage/database';
import { linkToCloud, unlinkFromCloud } from './cloud-columns';
import { CloudLinkedRows } from './cloud-linked-rows';
import {
  insertPackageRow,
  isBlobReferenced,
  type PackageBinary,
  type PackageFields,
  type PackageRow,
  type StoredPackage,
  storedPackageOf,
} from './package-row';

/** A package as the sync sees it: with its cloud id. */
export interface PackageLink extends StoredPackage {
  cloudId: string | null;
  cloudDeletedAt: number | null;
}

function toPackageLink(row: PackageRow): PackageLink {
  return { ...storedPackageOf(row), cloudId: row.cloud_id, cloudDeletedAt: row.cloud_deleted_at };
}

export interface NewPulledPackage extends PackageFields {
  cloudId: string;
}

/**
 * The packages table as the sync reads and writes it. Packages pulled from the cloud are written
 * here directly, without outbox entries: the cloud already knows them.
 */
export class CloudPackageLinks extends CloudLinkedRows<PackageRow, PackageLink> {
  constructor(db: Db) {
    super(db, 'packages', toPackageLink);
  }

  byTitleVersion(title: string, version: string): PackageLink | undefined {
    return this.rows.one('title = ? AND version = ?', title, version);
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

  delete(id: string): void {
    this.sql<[string]>('DELETE FROM packages WHERE id = ?').run(id);
  }

  isBlobReferenced(sha256: string): boolean {
    return isBlobReferenced(this.db, sha256);
  }
}
