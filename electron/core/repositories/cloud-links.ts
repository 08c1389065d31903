import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import type { Db } from '../storage/database';
import { type RowLookup, rowLookup } from '../storage/row-lookup';
import { type StatementCache, statementCache } from '../storage/statements';
import { CloudDevice, CloudProfile } from '../sync/cloud-types';
import type { DeviceRow } from './devices';
import {
  insertPackageRow,
  isBlobReferenced,
  type PackageBinary,
  type PackageFields,
  packageFieldsOf,
  type PackageRow,
} from './package-row';
import type { ProfileRow } from './profiles';

/**
 * The station's rows as the sync sees them: with their cloud ids. Rows pulled from the cloud
 * are written here directly, without outbox entries: the cloud already knows them.
 */
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

export interface DeviceLink {
  id: string;
  name: string;
  label: string;
  profileId: string;
  accessToken: string;
  firmwareId: string | null;
  softwareId: string | null;
  cloudId: string | null;
  /** The device as the cloud last showed it. */
  snapshot: CloudDevice | null;
  cloudDeletedAt: number | null;
}

export interface PackageLink extends PackageFields {
  id: string;
  status: 'READY' | 'CORRUPT';
  cloudId: string | null;
  cloudDeletedAt: number | null;
}

/** A stored snapshot, or null when there is none or it no longer parses. */
function snapshotOf<T extends z.ZodType>(schema: T, json: string | null): z.infer<T> | null {
  if (!json) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function toProfile(row: ProfileRow): ProfileLink {
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

function toDevice(row: DeviceRow): DeviceLink {
  const snapshot = snapshotOf(CloudDevice, row.cloud_snapshot);
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    profileId: row.profile_id,
    accessToken: row.access_token,
    firmwareId: row.firmware_id,
    softwareId: row.software_id,
    cloudId: row.cloud_id,
    snapshot,
    cloudDeletedAt: row.cloud_deleted_at,
  };
}

function toPackage(row: PackageRow): PackageLink {
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

export class CloudLinks {
  private readonly sql: StatementCache;
  private readonly profiles: RowLookup<ProfileLink>;
  private readonly devices: RowLookup<DeviceLink>;
  private readonly packages: RowLookup<PackageLink>;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
    this.profiles = rowLookup(db, 'SELECT * FROM device_profiles', toProfile);
    this.devices = rowLookup(db, 'SELECT * FROM devices', toDevice);
    this.packages = rowLookup(db, 'SELECT * FROM packages', toPackage);
  }

  /** Whether anything of the station came from, or went to, a cloud. */
  anyLinked(): boolean {
    return (
      this.sql(
        `SELECT 1 FROM devices WHERE cloud_id IS NOT NULL UNION ALL SELECT 1 FROM packages WHERE cloud_id IS NOT NULL
         UNION ALL SELECT 1 FROM device_profiles WHERE cloud_id IS NOT NULL LIMIT 1`,
      ).get() !== undefined
    );
  }

  // ---- profiles ----

  profile(id: string): ProfileLink | undefined {
    return this.profiles.one('id = ?', id);
  }

  profileByCloudId(cloudId: string): ProfileLink | undefined {
    return this.profiles.one('cloud_id = ?', cloudId);
  }

  profileByName(name: string): ProfileLink | undefined {
    return this.profiles.one('name = ?', name);
  }

  linkProfile(id: string, cloudId: string): void {
    this.sql('UPDATE device_profiles SET cloud_id = ?, cloud_deleted_at = NULL WHERE id = ?').run(
      cloudId,
      id,
    );
  }

  /** The profile as the cloud now has it: the base a change of the site's is saved over. */
  setProfileSnapshot(id: string, cloud: CloudProfile): void {
    this.sql('UPDATE device_profiles SET cloud_snapshot = ? WHERE id = ?').run(
      JSON.stringify(cloud),
      id,
    );
  }

  /** Inserts or updates the local copy of a cloud profile; returns what happened. */
  upsertPulledProfile(cloud: CloudProfile, now: number): 'added' | 'updated' | 'unchanged' {
    const description = cloud.description ?? '';
    const existing = this.profileByCloudId(cloud.id.id);
    if (existing) {
      if (existing.name === cloud.name && existing.description === description) {
        this.sql('UPDATE device_profiles SET cloud_deleted_at = NULL WHERE id = ?').run(
          existing.id,
        );
        return 'unchanged';
      }
      // Another local profile may hold the new name: then the name stays (it is only a label).
      const clash = this.profileByName(cloud.name);
      const name = clash && clash.id !== existing.id ? existing.name : cloud.name;
      this.sql(
        'UPDATE device_profiles SET name = ?, description = ?, cloud_deleted_at = NULL WHERE id = ?',
      ).run(name, description, existing.id);
      return 'updated';
    }
    const sameName = this.profileByName(cloud.name);
    if (sameName) {
      // A profile made on site with the cloud's name is that profile: adopt it.
      if (sameName.cloudId === null) {
        this.linkProfile(sameName.id, cloud.id.id);
        return 'updated';
      }
      return 'unchanged';
    }
    this.sql(
      'INSERT INTO device_profiles (id, name, description, cloud_id, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(randomUUID(), cloud.name, description, cloud.id.id, now);
    return 'added';
  }

  profilesWithCloudId(): ProfileLink[] {
    return this.profiles.all('cloud_id IS NOT NULL');
  }

  markProfileDeleted(id: string, now: number): void {
    this.sql(
      'UPDATE device_profiles SET cloud_deleted_at = coalesce(cloud_deleted_at, ?) WHERE id = ?',
    ).run(now, id);
  }

  // ---- devices ----

  device(id: string): DeviceLink | undefined {
    return this.devices.one('id = ?', id);
  }

  deviceByCloudId(cloudId: string): DeviceLink | undefined {
    return this.devices.one('cloud_id = ?', cloudId);
  }

  deviceByName(name: string): DeviceLink | undefined {
    return this.devices.one('name = ?', name);
  }

  deviceByToken(token: string): DeviceLink | undefined {
    return this.devices.one('access_token = ?', token);
  }

  devicesWithCloudId(): DeviceLink[] {
    return this.devices.all('cloud_id IS NOT NULL');
  }

  /** The ids of the devices a package is assigned to, in either slot. */
  devicesAssignedTo(packageId: string): string[] {
    return this.sql<[string, string], { id: string }>(
      'SELECT id FROM devices WHERE firmware_id = ? OR software_id = ?',
    )
      .all(packageId, packageId)
      .map((row) => row.id);
  }

  /** Records the cloud's copy of a device (after a pull or a save). */
  linkDevice(id: string, cloud: CloudDevice): void {
    this.sql(
      'UPDATE devices SET cloud_id = ?, cloud_version = ?, cloud_snapshot = ?, cloud_deleted_at = NULL WHERE id = ?',
    ).run(cloud.id.id, cloud.version ?? null, JSON.stringify(cloud), id);
  }

  /**
   * Forgets the device's cloud copy. `deletedAt`: when the cloud deleted it (kept, marked), or
   * null for a device the cloud is to get anew.
   */
  unlinkDevice(id: string, deletedAt: number | null): void {
    this.sql(
      'UPDATE devices SET cloud_id = NULL, cloud_version = NULL, cloud_snapshot = NULL, cloud_deleted_at = ? WHERE id = ?',
    ).run(deletedAt, id);
  }

  /**
   * Name, label, profile and token follow the cloud; the caller checked they are free.
   * `keepSnapshot`: a change of the station's waits to be pushed, and the copy it was made on
   * stays its base. `keepNameAndLabel`: that change is a rename or relabel made on site, which
   * the pull must not undo.
   */
  updatePulledDevice(
    id: string,
    cloud: CloudDevice,
    local: { profileId: string; token: string; keepSnapshot: boolean; keepNameAndLabel: boolean },
  ): void {
    if (local.keepNameAndLabel)
      this.sql(
        'UPDATE devices SET profile_id = ?, access_token = ?, cloud_deleted_at = NULL WHERE id = ?',
      ).run(local.profileId, local.token, id);
    else
      this.sql(
        'UPDATE devices SET name = ?, label = ?, profile_id = ?, access_token = ?, cloud_deleted_at = NULL WHERE id = ?',
      ).run(cloud.name, cloud.label ?? '', local.profileId, local.token, id);
    if (!local.keepSnapshot) this.linkDevice(id, cloud);
  }

  /**
   * The cloud's name and label on the station (a conflict resolved with "take the cloud's", or
   * a field only the cloud changed). False when another device of the station has that name.
   */
  setNameAndLabel(id: string, values: { name: string; label: string }): boolean {
    const owner = this.deviceByName(values.name);
    if (owner && owner.id !== id) return false;
    this.sql('UPDATE devices SET name = ?, label = ? WHERE id = ?').run(
      values.name,
      values.label,
      id,
    );
    return true;
  }

  insertPulledDevice(cloud: CloudDevice, profileId: string, token: string, now: number): string {
    const id = randomUUID();
    this.sql(
      `INSERT INTO devices (id, name, label, profile_id, access_token, cloud_id, cloud_version, cloud_snapshot, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      cloud.name,
      cloud.label ?? '',
      profileId,
      token,
      cloud.id.id,
      cloud.version ?? null,
      JSON.stringify(cloud),
      now,
    );
    return id;
  }

  setAccessToken(id: string, token: string): void {
    this.sql('UPDATE devices SET access_token = ? WHERE id = ?').run(token, id);
  }

  markDeviceDeleted(id: string, now: number): void {
    this.sql(
      'UPDATE devices SET cloud_deleted_at = coalesce(cloud_deleted_at, ?) WHERE id = ?',
    ).run(now, id);
  }

  /** Anything recorded on site for the device that the technician would not want to lose. */
  deviceHasHistory(id: string): boolean {
    return (
      this.sql('SELECT 1 FROM telemetry WHERE device_id = ? LIMIT 1').get(id) !== undefined ||
      this.sql('SELECT 1 FROM executions WHERE device_id = ? LIMIT 1').get(id) !== undefined ||
      this.sql('SELECT 1 FROM outbox WHERE entity_id = ? LIMIT 1').get(id) !== undefined
    );
  }

  deleteDevice(id: string): void {
    this.sql('DELETE FROM devices WHERE id = ?').run(id);
  }

  // ---- packages ----

  package(id: string): PackageLink | undefined {
    return this.packages.one('id = ?', id);
  }

  packageByCloudId(cloudId: string): PackageLink | undefined {
    return this.packages.one('cloud_id = ?', cloudId);
  }

  packageByTitleVersion(title: string, version: string): PackageLink | undefined {
    return this.packages.one('title = ? AND version = ?', title, version);
  }

  packagesWithCloudId(): PackageLink[] {
    return this.packages.all('cloud_id IS NOT NULL');
  }

  linkPackage(id: string, cloudId: string): void {
    this.sql('UPDATE packages SET cloud_id = ?, cloud_deleted_at = NULL WHERE id = ?').run(
      cloudId,
      id,
    );
  }

  insertPulledPackage(pkg: NewPulledPackage, now: number): string {
    const id = randomUUID();
    insertPackageRow(this.db, id, pkg, pkg.cloudId, now);
    return id;
  }

  /** The cloud's binary replaces the local one (a conflict resolved with "take the cloud's"). */
  replacePackageBinary(id: string, binary: PackageBinary, cloudId: string): void {
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

  packageInUse(id: string): boolean {
    return (
      this.sql('SELECT 1 FROM devices WHERE firmware_id = ? OR software_id = ? LIMIT 1').get(
        id,
        id,
      ) !== undefined ||
      this.sql('SELECT 1 FROM executions WHERE package_id = ? LIMIT 1').get(id) !== undefined
    );
  }

  markPackageDeleted(id: string, now: number): void {
    this.sql(
      'UPDATE packages SET cloud_deleted_at = coalesce(cloud_deleted_at, ?) WHERE id = ?',
    ).run(now, id);
  }

  deletePackageRow(id: string): void {
    this.sql('DELETE FROM packages WHERE id = ?').run(id);
  }

  isBlobReferenced(sha256: string): boolean {
    return isBlobReferenced(this.db, sha256);
  }
}
