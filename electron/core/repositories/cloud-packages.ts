import type { CloudPackage } from '../../../shared/api/entities';
import type { Db } from '../storage/database';
import { type StatementCache, statementCache } from '../storage/statements';
import type { CloudPackageInfo } from '../sync/cloud-types';

/** A cloud_packages row with the local profile and package it matches, if any. */
interface CloudPackageRow {
  cloud_id: string;
  title: string;
  version: string;
  type: 'FIRMWARE' | 'SOFTWARE';
  profile_name: string | null;
  has_data: number;
  data_size: number | null;
  checksum_algorithm: string | null;
  checksum: string | null;
  local_id: string | null;
}

/** The cloud's package list as last pulled (binaries are cached only for some of them). */
export class CloudPackageList {
  private readonly sql: StatementCache;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** The list as the cloud gave it now replaces the one kept. */
  replace(listed: readonly CloudPackageInfo[], now: number): void {
    this.db.transaction(() => {
      this.sql('DELETE FROM cloud_packages').run();
      const insert = this.sql(
        `INSERT INTO cloud_packages (cloud_id, title, version, tag, type, profile_cloud_id, has_data, file_name,
           content_type, checksum_algorithm, checksum, data_size, created_time, pulled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const p of listed)
        insert.run(
          p.id.id,
          p.title,
          p.version,
          p.tag ?? null,
          p.type,
          p.deviceProfileId?.id ?? null,
          p.hasData ? 1 : 0,
          p.fileName ?? null,
          p.contentType ?? null,
          p.checksumAlgorithm ?? null,
          p.checksum ?? null,
          p.dataSize ?? null,
          p.createdTime,
          now,
        );
    })();
  }

  list(): CloudPackage[] {
    return this.sql<[], CloudPackageRow>(
      `SELECT c.*, p.name AS profile_name, k.id AS local_id
       FROM cloud_packages c
       LEFT JOIN device_profiles p ON p.cloud_id = c.profile_cloud_id
       LEFT JOIN packages k ON k.cloud_id = c.cloud_id
       ORDER BY c.title, c.created_time`,
    )
      .all()
      .map((r) => ({
        cloudId: r.cloud_id,
        title: r.title,
        version: r.version,
        type: r.type,
        profileName: r.profile_name,
        hasData: r.has_data === 1,
        size: r.data_size,
        checksumAlgorithm: r.checksum_algorithm,
        checksum: r.checksum,
        localPackageId: r.local_id,
      }));
  }

  /** Title and version of a listed package. */
  titleVersion(cloudId: string): { title: string; version: string } | undefined {
    return this.sql<[string], { title: string; version: string }>(
      'SELECT title, version FROM cloud_packages WHERE cloud_id = ?',
    ).get(cloudId);
  }
}
