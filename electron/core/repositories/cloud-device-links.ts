import { randomUUID } from 'node:crypto';

import type { Db } from '../storage/database';
import { CloudDevice } from '../sync/cloud-types';
import { snapshotOf } from './cloud-columns';
import { CloudLinkedRows } from './cloud-linked-rows';
import type { DeviceRow } from './devices';

/** A device as the sync sees it: with its cloud id and the cloud's last copy. */
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

function toDeviceLink(row: DeviceRow): DeviceLink {
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    profileId: row.profile_id,
    accessToken: row.access_token,
    firmwareId: row.firmware_id,
    softwareId: row.software_id,
    cloudId: row.cloud_id,
    snapshot: snapshotOf(CloudDevice, row.cloud_snapshot),
    cloudDeletedAt: row.cloud_deleted_at,
  };
}

/**
 * The devices table as the sync reads and writes it. Devices pulled from the cloud are written
 * here directly, without outbox entries: the cloud already knows them.
 */
export class CloudDeviceLinks extends CloudLinkedRows<DeviceRow, DeviceLink> {
  constructor(db: Db) {
    super(db, 'devices', toDeviceLink);
  }

  byName(name: string): DeviceLink | undefined {
    return this.rows.one('name = ?', name);
  }

  byToken(token: string): DeviceLink | undefined {
    return this.rows.one('access_token = ?', token);
  }

  /** The ids of the devices a package is assigned to as their own, in either slot. */
  assignedTo(packageId: string): string[] {
    return this.sql<[string, string], { id: string }>(
      'SELECT id FROM devices WHERE firmware_id = ? OR software_id = ?',
    )
      .all(packageId, packageId)
      .map((row) => row.id);
  }

  /** Records the cloud's copy of a device (after a pull or a save). */
  link(id: string, cloud: CloudDevice): void {
    this.sql<[string, number | null, string, string]>(
      'UPDATE devices SET cloud_id = ?, cloud_version = ?, cloud_snapshot = ?, cloud_deleted_at = NULL WHERE id = ?',
    ).run(cloud.id.id, cloud.version ?? null, JSON.stringify(cloud), id);
  }

  /**
   * Forgets the device's cloud copy. `deletedAt`: when the cloud deleted it (kept, marked), or
   * null for a device the cloud is to get anew.
   */
  unlink(id: string, deletedAt: number | null): void {
    this.sql<[number | null, string]>(
      'UPDATE devices SET cloud_id = NULL, cloud_version = NULL, cloud_snapshot = NULL, cloud_deleted_at = ? WHERE id = ?',
    ).run(deletedAt, id);
  }

  /**
   * Name, label and token follow the cloud; the caller checked they are free (a new profile is
   * the caller's: the device's packages are re-evaluated with it).
   * `keepSnapshot`: a change of the station's waits to be pushed, and the copy it was made on
   * stays its base. `keepNameAndLabel`: that change is a rename or relabel made on site, which
   * the pull must not undo.
   */
  updatePulled(
    id: string,
    cloud: CloudDevice,
    local: { token: string; keepSnapshot: boolean; keepNameAndLabel: boolean },
  ): void {
    if (local.keepNameAndLabel)
      this.sql<[string, string]>(
        'UPDATE devices SET access_token = ?, cloud_deleted_at = NULL WHERE id = ?',
      ).run(local.token, id);
    else
      this.sql<[string, string, string, string]>(
        'UPDATE devices SET name = ?, label = ?, access_token = ?, cloud_deleted_at = NULL WHERE id = ?',
      ).run(cloud.name, cloud.label ?? '', local.token, id);
    if (!local.keepSnapshot) this.link(id, cloud);
  }

  /**
   * The cloud's name and label on the station (a conflict resolved with "take the cloud's", or
   * a field only the cloud changed). False when another device of the station has that name.
   */
  setNameAndLabel(id: string, values: { name: string; label: string }): boolean {
    const owner = this.byName(values.name);
    if (owner && owner.id !== id) return false;
    this.sql<[string, string, string]>('UPDATE devices SET name = ?, label = ? WHERE id = ?').run(
      values.name,
      values.label,
      id,
    );
    return true;
  }

  insertPulled(cloud: CloudDevice, profileId: string, token: string, now: number): string {
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
    this.sql<[string, string]>('UPDATE devices SET access_token = ? WHERE id = ?').run(token, id);
  }

  /** Anything recorded on site for the device that the technician would not want to lose. */
  hasHistory(id: string): boolean {
    return (
      this.sql<[string]>('SELECT 1 FROM telemetry WHERE device_id = ? LIMIT 1').get(id) !==
        undefined ||
      this.sql<[string]>('SELECT 1 FROM executions WHERE device_id = ? LIMIT 1').get(id) !==
        undefined ||
      this.sql<[string]>('SELECT 1 FROM outbox WHERE entity_id = ? LIMIT 1').get(id) !== undefined
    );
  }

  delete(id: string): void {
    this.sql<[string]>('DELETE FROM devices WHERE id = ?').run(id);
  }
}
