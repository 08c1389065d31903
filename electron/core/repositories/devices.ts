import { randomBytes, randomUUID } from 'node:crypto';

import type {
  AssignmentSource,
  Device,
  DeviceTransport,
  OtaSlot,
} from '../../../shared/api/entities';
import { ApiError } from '../../../shared/api/errors';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { OtaState } from '../../../shared/protocol/states';
import type { Db } from '../storage/database';
import { statementCache } from '../storage/statements';
import { enqueueOutbox } from './outbox';

/** What the MQTT side needs to know about an authenticated device. */
export interface DeviceIdentity {
  id: string;
  name: string;
  profileId: string;
}

/** A row of the devices table as better-sqlite3 returns it (the sync reads it too). */
export interface DeviceRow {
  id: string;
  name: string;
  label: string;
  profile_id: string;
  access_token: string;
  firmware_id: string | null;
  software_id: string | null;
  current_fw_title: string | null;
  current_fw_version: string | null;
  current_sw_title: string | null;
  current_sw_version: string | null;
  last_seen_at: number | null;
  last_transport: DeviceTransport | null;
  created_at: number;
  cloud_id: string | null;
  cloud_version: number | null;
  /** The device as the cloud last showed it (JSON). */
  cloud_snapshot: string | null;
  cloud_deleted_at: number | null;
}

/** A devices row with what the fleet listing joins to it. */
interface DeviceListRow extends DeviceRow {
  profile_name: string;
  fw_package_id: string | null;
  fw_from: AssignmentSource | null;
  fw_title: string | null;
  fw_version: string | null;
  sw_package_id: string | null;
  sw_from: AssignmentSource | null;
  sw_title: string | null;
  sw_version: string | null;
  fw_exec_id: string | null;
  fw_exec_state: OtaState | null;
  fw_exec_error: string | null;
  fw_exec_bytes: number | null;
  fw_exec_size: number | null;
  sw_exec_id: string | null;
  sw_exec_state: OtaState | null;
  sw_exec_error: string | null;
  sw_exec_bytes: number | null;
  sw_exec_size: number | null;
}

/**
 * The one rule for which package a device gets, as ThingsBoard resolves it: its own, else its
 * profile's. Every reader of a device's package goes through these expressions (`d` is the
 * device, `p` its profile).
 */
const RESOLVED = {
  FIRMWARE: 'COALESCE(d.firmware_id, p.firmware_id)',
  SOFTWARE: 'COALESCE(d.software_id, p.software_id)',
} as const;
const SOURCE = {
  FIRMWARE: `CASE WHEN d.firmware_id IS NOT NULL THEN 'DEVICE' WHEN p.firmware_id IS NOT NULL THEN 'PROFILE' END`,
  SOFTWARE: `CASE WHEN d.software_id IS NOT NULL THEN 'DEVICE' WHEN p.software_id IS NOT NULL THEN 'PROFILE' END`,
} as const;
const OWN_COLUMN = { FIRMWARE: 'firmware_id', SOFTWARE: 'software_id' } as const;

// The latest execution of each slot rides along so the fleet table is one query, not N+1.
const SELECT_DEVICES = `
  SELECT d.*, p.name AS profile_name,
    ${RESOLVED.FIRMWARE} AS fw_package_id, ${SOURCE.FIRMWARE} AS fw_from,
    fw.title AS fw_title, fw.version AS fw_version,
    ${RESOLVED.SOFTWARE} AS sw_package_id, ${SOURCE.SOFTWARE} AS sw_from,
    sw.title AS sw_title, sw.version AS sw_version,
    fe.id AS fw_exec_id, fe.state AS fw_exec_state, fe.error AS fw_exec_error,
    fe.bytes_served AS fw_exec_bytes, fe.size AS fw_exec_size,
    se.id AS sw_exec_id, se.state AS sw_exec_state, se.error AS sw_exec_error,
    se.bytes_served AS sw_exec_bytes, se.size AS sw_exec_size
  FROM devices d
  JOIN device_profiles p ON p.id = d.profile_id
  LEFT JOIN packages fw ON fw.id = ${RESOLVED.FIRMWARE}
  LEFT JOIN packages sw ON sw.id = ${RESOLVED.SOFTWARE}
  LEFT JOIN executions fe ON fe.id = (
    SELECT id FROM executions WHERE device_id = d.id AND type = 'FIRMWARE' ORDER BY created_at DESC, rowid DESC LIMIT 1)
  LEFT JOIN executions se ON se.id = (
    SELECT id FROM executions WHERE device_id = d.id AND type = 'SOFTWARE' ORDER BY created_at DESC, rowid DESC LIMIT 1)
`;

function slot(
  currentTitle: string | null,
  currentVersion: string | null,
  assigned: {
    packageId: string | null;
    from: AssignmentSource | null;
    title: string | null;
    version: string | null;
  },
  execution: {
    id: string | null;
    state: OtaState | null;
    error: string | null;
    bytes: number | null;
    size: number | null;
  },
): OtaSlot {
  return {
    currentTitle,
    currentVersion,
    assignedPackageId: assigned.packageId,
    assignedTitle: assigned.title,
    assignedVersion: assigned.version,
    assignedFrom: assigned.from,
    state: execution.state,
    error: execution.error,
    bytesServed: execution.bytes ?? 0,
    size: execution.size ?? 0,
    executionId: execution.id,
  };
}

function toDevice(row: DeviceListRow, online: boolean): Device {
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    profileId: row.profile_id,
    profileName: row.profile_name,
    accessToken: row.access_token,
    online,
    lastSeenAt: row.last_seen_at,
    lastTransport: row.last_transport,
    createdAt: row.created_at,
    firmware: slot(
      row.current_fw_title,
      row.current_fw_version,
      {
        packageId: row.fw_package_id,
        from: row.fw_from,
        title: row.fw_title,
        version: row.fw_version,
      },
      {
        id: row.fw_exec_id,
        state: row.fw_exec_state,
        error: row.fw_exec_error,
        bytes: row.fw_exec_bytes,
        size: row.fw_exec_size,
      },
    ),
    software: slot(
      row.current_sw_title,
      row.current_sw_version,
      {
        packageId: row.sw_package_id,
        from: row.sw_from,
        title: row.sw_title,
        version: row.sw_version,
      },
      {
        id: row.sw_exec_id,
        state: row.sw_exec_state,
        error: row.sw_exec_error,
        bytes: row.sw_exec_bytes,
        size: row.sw_exec_size,
      },
    ),
    syncStatus: row.cloud_id ? 'SYNCED' : 'LOCAL',
  };
}

/** ThingsBoard-style access token: 20 characters, letters and digits. */
export function generateAccessToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps the draw uniform.
  let token = '';
  while (token.length < 20) {
    for (const byte of randomBytes(32)) {
      if (byte < 248 && token.length < 20) token += alphabet[byte % 62];
    }
  }
  return token;
}

export type OnlineCheck = (deviceId: string) => boolean;

/** What DeviceRepository.update changed: the name or label, and/or the device profile. */
export interface DeviceChange {
  edited: boolean;
  moved: boolean;
}

/** Which package a device gets in one slot, and from where (ThingsBoard's resolution). */
export interface SlotAssignment {
  /** Its own, else its profile's; null when neither has one. */
  packageId: string | null;
  from: AssignmentSource | null;
  ownPackageId: string | null;
  profilePackageId: string | null;
}

export class DeviceRepository {
  private readonly sql: ReturnType<typeof statementCache>;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(isOnline: OnlineCheck): Device[] {
    const rows = this.sql<[], DeviceListRow>(`${SELECT_DEVICES} ORDER BY d.name`).all();
    return rows.map((row) => toDevice(row, isOnline(row.id)));
  }

  find(id: string, isOnline: OnlineCheck): Device | undefined {
    const row = this.sql<[string], DeviceListRow>(`${SELECT_DEVICES} WHERE d.id = ?`).get(id);
    return row && toDevice(row, isOnline(row.id));
  }

  get(id: string, isOnline: OnlineCheck): Device {
    const device = this.find(id, isOnline);
    if (!device) throw new ApiError('NOT_FOUND', `Device ${id} does not exist`);
    return device;
  }

  identityByToken(token: string): DeviceIdentity | undefined {
    return this.sql<[string], DeviceIdentity>(
      'SELECT id, name, profile_id AS profileId FROM devices WHERE access_token = ?',
    ).get(token);
  }

  identity(id: string): DeviceIdentity | undefined {
    return this.sql<[string], DeviceIdentity>(
      'SELECT id, name, profile_id AS profileId FROM devices WHERE id = ?',
    ).get(id);
  }

  identitiesInProfile(profileId: string): DeviceIdentity[] {
    return this.sql<[string], DeviceIdentity>(
      'SELECT id, name, profile_id AS profileId FROM devices WHERE profile_id = ? ORDER BY name',
    ).all(profileId);
  }

  add(
    input: { name: string; profileId: string; label: string; accessToken?: string | undefined },
    now = Date.now(),
  ): string {
    const id = randomUUID();
    const token = input.accessToken ?? generateAccessToken();
    this.db.transaction(() => {
      if (this.sql('SELECT 1 FROM devices WHERE name = ?').get(input.name)) {
        throw new ApiError('CONFLICT', `A device named "${input.name}" already exists`, {
          name: 'already exists',
        });
      }
      if (this.sql('SELECT 1 FROM devices WHERE access_token = ?').get(token)) {
        throw new ApiError('CONFLICT', 'Another device already uses this access token', {
          accessToken: 'already in use',
        });
      }
      if (!this.sql('SELECT 1 FROM device_profiles WHERE id = ?').get(input.profileId)) {
        throw new ApiError('NOT_FOUND', `Device profile ${input.profileId} does not exist`, {
          profileId: 'not found',
        });
      }
      this.sql(
        'INSERT INTO devices (id, name, label, profile_id, access_token, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, input.name, input.label, input.profileId, token, now);
      enqueueOutbox(this.db, {
        kind: 'device.created',
        entityId: id,
        payload: { name: input.name, label: input.label, profileId: input.profileId },
        now,
      });
    })();
    return id;
  }

  /**
   * Renames, relabels and/or moves a device on site (false: nothing changed, nothing queued).
   * A rename, relabel or move goes in the outbox with the new values and the ones they replaced; it
   * is written even while the device's own creation still waits to be pushed: that push sends
   * the current values anyway, and the edit's push then finds the cloud already has them
   * (nothing is sent twice), while an edit that lands during that push is not lost.
   * A move to another device profile is refused while the device has a package of its own: it
   * belongs to the old profile (ThingsBoard refuses a device whose package is another
   * profile's). Callers deliver the new profile's packages (DeviceMove tells what changed).
   */
  update(
    id: string,
    changes: {
      name?: string | undefined;
      label?: string | undefined;
      profileId?: string | undefined;
    },
    now = Date.now(),
  ): DeviceChange {
    return this.db.transaction(() => {
      const was = this.sql<[string], { name: string; label: string; profileId: string }>(
        'SELECT name, label, profile_id AS profileId FROM devices WHERE id = ?',
      ).get(id);
      if (!was) throw new ApiError('NOT_FOUND', `Device ${id} does not exist`);
      const name = changes.name ?? was.name;
      const label = changes.label ?? was.label;
      const profileId = changes.profileId ?? was.profileId;
      const edited = name !== was.name || label !== was.label;
      const moved = profileId !== was.profileId;
      if (!edited && !moved) return { edited, moved };
      if (name !== was.name && this.sql('SELECT 1 FROM devices WHERE name = ?').get(name)) {
        throw new ApiError('CONFLICT', `A device named "${name}" already exists`, {
          name: 'already exists',
        });
      }
      if (moved) this.assertMovable(id, was.name, profileId);
      this.sql('UPDATE devices SET name = ?, label = ?, profile_id = ? WHERE id = ?').run(
        name,
        label,
        profileId,
        id,
      );
      // A move carries the profiles too; a rename's entry stays as it always was.
      enqueueOutbox(this.db, {
        kind: 'device.updated',
        entityId: id,
        payload: moved
          ? { name, label, profileId, was }
          : { name, label, was: { name: was.name, label: was.label } },
        now,
      });
      return { edited, moved };
    })();
  }

  private assertMovable(id: string, name: string, profileId: string): void {
    if (!this.sql('SELECT 1 FROM device_profiles WHERE id = ?').get(profileId)) {
      throw new ApiError('NOT_FOUND', `Device profile ${profileId} does not exist`, {
        profileId: 'not found',
      });
    }
    const own = this.sql(
      `SELECT k.type, k.title, k.version FROM devices d JOIN packages k
         ON k.id = d.firmware_id OR k.id = d.software_id
       WHERE d.id = ? ORDER BY k.type`,
    ).get(id) as { type: OtaPackageType; title: string; version: string } | undefined;
    if (own) {
      throw new ApiError(
        'CONFLICT',
        `${name} has its own ${own.type.toLowerCase()} ${own.title} ${own.version}, a package of its present device profile: un-assign it before moving the device to another profile`,
        { profileId: `its own ${own.type.toLowerCase()} belongs to its present profile` },
      );
    }
  }

  /** The device profile the cloud gave the device: no outbox entry (the cloud has it). */
  setProfileFromCloud(deviceId: string, profileId: string): void {
    this.sql<[string, string]>('UPDATE devices SET profile_id = ? WHERE id = ?').run(
      profileId,
      deviceId,
    );
  }

  /** Sets or clears a slot's own assigned package. Callers wrap it in their transaction. */
  setAssignedPackage(deviceId: string, type: OtaPackageType, packageId: string | null): void {
    this.sql(`UPDATE devices SET ${OWN_COLUMN[type]} = ? WHERE id = ?`).run(packageId, deviceId);
  }

  /** The package a device gets in a slot: its own, else its profile's; null when neither. */
  assignedPackageId(deviceId: string, type: OtaPackageType): string | null {
    return this.assignment(deviceId, type)?.packageId ?? null;
  }

  /** A slot's package with where it comes from, and both candidates; undefined: no device. */
  assignment(deviceId: string, type: OtaPackageType): SlotAssignment | undefined {
    const column = OWN_COLUMN[type];
    return this.sql(
      `SELECT ${RESOLVED[type]} AS packageId, ${SOURCE[type]} AS "from",
         d.${column} AS ownPackageId, p.${column} AS profilePackageId
       FROM devices d JOIN device_profiles p ON p.id = d.profile_id WHERE d.id = ?`,
    ).get(deviceId) as SlotAssignment | undefined;
  }

  /** The devices of a profile without their own package of a type: those its package reaches. */
  followers(profileId: string, type: OtaPackageType): DeviceIdentity[] {
    return this.sql(
      `SELECT id, name, profile_id AS profileId FROM devices
       WHERE profile_id = ? AND ${OWN_COLUMN[type]} IS NULL ORDER BY name`,
    ).all(profileId) as DeviceIdentity[];
  }

  /** What the device last said it runs in a slot. */
  currentPackage(
    deviceId: string,
    type: OtaPackageType,
  ): { title: string | null; version: string | null } | undefined {
    const [titleColumn, versionColumn] = currentColumns(type);
    return this.sql<[string], { title: string | null; version: string | null }>(
      `SELECT ${titleColumn} AS title, ${versionColumn} AS version FROM devices WHERE id = ?`,
    ).get(deviceId);
  }

  setCurrentPackage(
    deviceId: string,
    type: OtaPackageType,
    current: { title?: string; version?: string },
  ): void {
    const [titleColumn, versionColumn] = currentColumns(type);
    if (current.title !== undefined) {
      this.sql(`UPDATE devices SET ${titleColumn} = ? WHERE id = ?`).run(current.title, deviceId);
    }
    if (current.version !== undefined) {
      this.sql(`UPDATE devices SET ${versionColumn} = ? WHERE id = ?`).run(
        current.version,
        deviceId,
      );
    }
  }

  /** How each of these devices last reached the station (one query for a whole report). */
  lastTransports(ids: readonly string[]): Map<string, DeviceTransport | null> {
    const rows = this.sql(
      'SELECT id, last_transport AS transport FROM devices WHERE id IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify(ids)) as { id: string; transport: DeviceTransport | null }[];
    return new Map(rows.map((row) => [row.id, row.transport]));
  }

  setLastTransport(deviceId: string, transport: DeviceTransport): void {
    this.sql('UPDATE devices SET last_transport = ? WHERE id = ?').run(transport, deviceId);
  }

  /** Never moves back: a connect time written late must not hide later telemetry. */
  touchLastSeen(deviceId: string, at: number): void {
    this.sql(
      'UPDATE devices SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?',
    ).run(at, deviceId);
  }
}

function currentColumns(type: OtaPackageType): readonly [string, string] {
  return type === 'FIRMWARE'
    ? ['current_fw_title', 'current_fw_version']
    : ['current_sw_title', 'current_sw_version'];
}
