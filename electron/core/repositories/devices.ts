import { randomBytes, randomUUID } from 'node:crypto';
import type { Device, DeviceTransport, OtaSlot } from '../../../shared/api/entities';
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

interface DeviceRow {
  id: string;
  name: string;
  label: string;
  profile_id: string;
  profile_name: string;
  access_token: string;
  last_seen_at: number | null;
  last_transport: DeviceTransport | null;
  created_at: number;
  cloud_id: string | null;
  current_fw_title: string | null;
  current_fw_version: string | null;
  current_sw_title: string | null;
  current_sw_version: string | null;
  firmware_id: string | null;
  fw_title: string | null;
  fw_version: string | null;
  software_id: string | null;
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

// The latest execution of each slot rides along so the fleet table is one query, not N+1.
const SELECT_DEVICES = `
  SELECT d.*, p.name AS profile_name,
    fw.title AS fw_title, fw.version AS fw_version,
    sw.title AS sw_title, sw.version AS sw_version,
    fe.id AS fw_exec_id, fe.state AS fw_exec_state, fe.error AS fw_exec_error,
    fe.bytes_served AS fw_exec_bytes, fe.size AS fw_exec_size,
    se.id AS sw_exec_id, se.state AS sw_exec_state, se.error AS sw_exec_error,
    se.bytes_served AS sw_exec_bytes, se.size AS sw_exec_size
  FROM devices d
  JOIN device_profiles p ON p.id = d.profile_id
  LEFT JOIN packages fw ON fw.id = d.firmware_id
  LEFT JOIN packages sw ON sw.id = d.software_id
  LEFT JOIN executions fe ON fe.id = (
    SELECT id FROM executions WHERE device_id = d.id AND type = 'FIRMWARE' ORDER BY created_at DESC, rowid DESC LIMIT 1)
  LEFT JOIN executions se ON se.id = (
    SELECT id FROM executions WHERE device_id = d.id AND type = 'SOFTWARE' ORDER BY created_at DESC, rowid DESC LIMIT 1)
`;

function slot(
  currentTitle: string | null,
  currentVersion: string | null,
  assignedPackageId: string | null,
  assignedTitle: string | null,
  assignedVersion: string | null,
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
    assignedPackageId,
    assignedTitle,
    assignedVersion,
    state: execution.state,
    error: execution.error,
    bytesServed: execution.bytes ?? 0,
    size: execution.size ?? 0,
    executionId: execution.id,
  };
}

function toDevice(row: DeviceRow, online: boolean): Device {
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
      row.firmware_id,
      row.fw_title,
      row.fw_version,
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
      row.software_id,
      row.sw_title,
      row.sw_version,
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

export class DeviceRepository {
  private readonly sql: ReturnType<typeof statementCache>;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(isOnline: OnlineCheck): Device[] {
    const rows = this.sql(`${SELECT_DEVICES} ORDER BY d.name`).all() as DeviceRow[];
    return rows.map((row) => toDevice(row, isOnline(row.id)));
  }

  find(id: string, isOnline: OnlineCheck): Device | undefined {
    const row = this.sql(`${SELECT_DEVICES} WHERE d.id = ?`).get(id) as DeviceRow | undefined;
    return row && toDevice(row, isOnline(row.id));
  }

  get(id: string, isOnline: OnlineCheck): Device {
    const device = this.find(id, isOnline);
    if (!device) throw new ApiError('NOT_FOUND', `Device ${id} does not exist`);
    return device;
  }

  identityByToken(token: string): DeviceIdentity | undefined {
    return this.sql(
      'SELECT id, name, profile_id AS profileId FROM devices WHERE access_token = ?',
    ).get(token) as DeviceIdentity | undefined;
  }

  identity(id: string): DeviceIdentity | undefined {
    return this.sql('SELECT id, name, profile_id AS profileId FROM devices WHERE id = ?').get(
      id,
    ) as DeviceIdentity | undefined;
  }

  identitiesInProfile(profileId: string): DeviceIdentity[] {
    return this.sql(
      'SELECT id, name, profile_id AS profileId FROM devices WHERE profile_id = ? ORDER BY name',
    ).all(profileId) as DeviceIdentity[];
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
   * Renames and/or relabels a device on site (false: nothing changed, nothing queued). The
   * outbox entry carries the new values and the ones they replaced; it is written even while
   * the device's own creation still waits to be pushed: that push sends the current values
   * anyway, and the edit's push then finds the cloud already has them (nothing is sent twice),
   * while an edit that lands during that push is not lost.
   */
  update(
    id: string,
    changes: { name?: string | undefined; label?: string | undefined },
    now = Date.now(),
  ): boolean {
    return this.db.transaction(() => {
      const was = this.sql('SELECT name, label FROM devices WHERE id = ?').get(id) as
        { name: string; label: string } | undefined;
      if (!was) throw new ApiError('NOT_FOUND', `Device ${id} does not exist`);
      const name = changes.name ?? was.name;
      const label = changes.label ?? was.label;
      if (name === was.name && label === was.label) return false;
      if (name !== was.name && this.sql('SELECT 1 FROM devices WHERE name = ?').get(name)) {
        throw new ApiError('CONFLICT', `A device named "${name}" already exists`, {
          name: 'already exists',
        });
      }
      this.sql('UPDATE devices SET name = ?, label = ? WHERE id = ?').run(name, label, id);
      enqueueOutbox(this.db, {
        kind: 'device.updated',
        entityId: id,
        payload: { name, label, was: { name: was.name, label: was.label } },
        now,
      });
      return true;
    })();
  }

  /** Sets or clears a slot's assigned package. Callers wrap it in their transaction. */
  setAssignedPackage(deviceId: string, type: OtaPackageType, packageId: string | null): void {
    const column = type === 'FIRMWARE' ? 'firmware_id' : 'software_id';
    this.sql(`UPDATE devices SET ${column} = ? WHERE id = ?`).run(packageId, deviceId);
  }

  assignedPackageId(deviceId: string, type: OtaPackageType): string | null {
    const column = type === 'FIRMWARE' ? 'firmware_id' : 'software_id';
    const row = this.sql(`SELECT ${column} AS packageId FROM devices WHERE id = ?`).get(
      deviceId,
    ) as { packageId: string | null } | undefined;
    return row?.packageId ?? null;
  }

  /** What the device last said it runs in a slot. */
  currentPackage(
    deviceId: string,
    type: OtaPackageType,
  ): { title: string | null; version: string | null } | undefined {
    const [titleColumn, versionColumn] = currentColumns(type);
    return this.sql(
      `SELECT ${titleColumn} AS title, ${versionColumn} AS version FROM devices WHERE id = ?`,
    ).get(deviceId) as { title: string | null; version: string | null } | undefined;
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
