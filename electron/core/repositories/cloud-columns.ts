import type { z } from 'zod';

import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';

/** A stored snapshot, or null when there is none or it no longer parses. */
export function snapshotOf<T extends z.ZodType>(schema: T, json: string | null): z.infer<T> | null {
  if (!json) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The tables whose rows carry a cloud id and a "deleted in the cloud" mark. */
export type CloudLinkedTable = 'devices' | 'device_profiles' | 'packages';

/**
 * Keeps the first time the cloud was seen without the row: a later pull must not move it, as the
 * technician is told since when the cloud lacks it.
 */
export function markCloudDeleted(db: Db, table: CloudLinkedTable, id: string, now: number): void {
  statementCache(db)<[number, string]>(
    `UPDATE ${table} SET cloud_deleted_at = coalesce(cloud_deleted_at, ?) WHERE id = ?`,
  ).run(now, id);
}

/** Records the row's cloud id; a row the cloud has again is no longer marked deleted. */
export function linkToCloud(
  db: Db,
  table: Exclude<CloudLinkedTable, 'devices'>,
  id: string,
  cloudId: string,
): void {
  statementCache(db)<[string, string]>(
    `UPDATE ${table} SET cloud_id = ?, cloud_deleted_at = NULL WHERE id = ?`,
  ).run(cloudId, id);
}

/** Forgets the row's cloud copy: the cloud is to get it anew. */
export function unlinkFromCloud(db: Db, table: CloudLinkedTable, id: string): void {
  statementCache(db)<[string]>(
    `UPDATE ${table} SET cloud_id = NULL, cloud_deleted_at = NULL WHERE id = ?`,
  ).run(id);
}

/** Whether anything of the station came from, or went to, a cloud. */
export function anyCloudLinked(db: Db): boolean {
  return (
    statementCache(db)(
      `SELECT 1 FROM devices WHERE cloud_id IS NOT NULL UNION ALL SELECT 1 FROM packages WHERE cloud_id IS NOT NULL
       UNION ALL SELECT 1 FROM device_profiles WHERE cloud_id IS NOT NULL LIMIT 1`,
    ).get() !== undefined
  );
}
