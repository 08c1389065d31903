import { randomUUID } from 'node:crypto';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
} from '../../shared/protocol/checksum-algorithms';
import { otaKeys, type OtaPackageType } from '../../shared/protocol/ota-keys';
import { CloudError, TB_ERROR } from './cloud-error';

/**
 * The cloud's data and ThingsBoard's rules on it: unique names and title+version, optimistic
 * `version` on devices and profiles, checksum check on upload, "no re-upload of other data",
 * and what a firmware assignment does on the server (QUEUED/INITIATED telemetry, fw_ attributes).
 * Also counts what the sync tests need to tell a replay from a duplicate.
 */
export const TENANT_ID = '7b0a9e40-0000-4000-8000-000000000001';
export const NULL_CUSTOMER_ID = '13814000-1dd2-11b2-8080-808080808080';

export interface ProfileRecord {
  id: string;
  createdTime: number;
  name: string;
  description: string;
  isDefault: boolean;
  /** The profile's own packages: every device of it without its own gets them. */
  firmwareId: string | null;
  softwareId: string | null;
  version: number;
}

export interface DeviceRecord {
  id: string;
  createdTime: number;
  name: string;
  label: string | null;
  profileId: string;
  firmwareId: string | null;
  softwareId: string | null;
  additionalInfo: unknown;
  version: number;
}

export interface CredentialsRecord {
  id: string;
  createdTime: number;
  deviceId: string;
  token: string;
}

export interface PackageRecord {
  id: string;
  createdTime: number;
  profileId: string;
  type: OtaPackageType;
  title: string;
  version: string;
  tag: string | null;
  additionalInfo: unknown;
  fileName: string | null;
  contentType: string | null;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksum: string | null;
  data: Buffer | null;
}

export type TelemetryOrigin = 'device' | 'server';

export interface StoredPoint {
  value: unknown;
  origin: TelemetryOrigin;
}

export interface CloudCounters {
  /** Successful creations per natural key: more than one for a key is a duplicate. */
  packageCreates: Map<string, number>;
  deviceCreates: Map<string, number>;
  profileCreates: Map<string, number>;
  /** Saves that moved a device slot to a package, per device|slot|package. */
  assignmentsApplied: Map<string, number>;
  telemetryPointsReceived: number;
  /** The same key, ts and value again (a replay after a lost answer; absorbed by key+ts). */
  telemetryRedelivered: number;
  /** The same key and ts with another value. */
  telemetryOverwritten: number;
}

export class CloudState {
  readonly profiles = new Map<string, ProfileRecord>();
  readonly devices = new Map<string, DeviceRecord>();
  readonly credentials = new Map<string, CredentialsRecord>();
  readonly packages = new Map<string, PackageRecord>();
  /** deviceId -> key -> ts -> point */
  readonly telemetry = new Map<string, Map<string, Map<number, StoredPoint>>>();
  readonly sharedAttributes = new Map<string, Map<string, unknown>>();
  readonly counters: CloudCounters = {
    packageCreates: new Map(),
    deviceCreates: new Map(),
    profileCreates: new Map(),
    assignmentsApplied: new Map(),
    telemetryPointsReceived: 0,
    telemetryRedelivered: 0,
    telemetryOverwritten: 0,
  };
  private lastCreated = 0;

  constructor(readonly now: () => number = Date.now) {
    this.createProfile({ name: 'default', description: 'Default device profile' }, true);
  }

  /** Creation times strictly increase, so listing order (by createdTime) is stable. */
  private createdTime(): number {
    this.lastCreated = Math.max(this.now(), this.lastCreated + 1);
    return this.lastCreated;
  }

  // ---- device profiles ----

  createProfile(input: { name: string; description?: string }, isDefault = false): ProfileRecord {
    const name = input.name.trim();
    if (!name) throw CloudError.badRequest('Device profile name should be specified!');
    if ([...this.profiles.values()].some((p) => p.name === name))
      throw CloudError.badRequest('Device profile with such name already exists!');
    const profile: ProfileRecord = {
      id: randomUUID(),
      createdTime: this.createdTime(),
      name,
      description: input.description ?? '',
      isDefault,
      firmwareId: null,
      softwareId: null,
      version: 1,
    };
    this.profiles.set(profile.id, profile);
    bump(this.counters.profileCreates, name);
    return profile;
  }

  profile(id: string): ProfileRecord {
    const found = this.profiles.get(id);
    if (!found) throw CloudError.notFound();
    return found;
  }

  profileByName(name: string): ProfileRecord | undefined {
    return [...this.profiles.values()].find((p) => p.name === name);
  }

  /**
   * POST /api/deviceProfile with an id: the whole profile replaced. As for devices, a stale
   * `version` is a 409 and an omitted one overwrites. Its packages are checked as a device's
   * are, and a changed one reaches every device of the profile without its own package (what
   * ThingsBoard's OTA state service does when a profile is saved).
   */
  saveProfile(input: ProfileInput): ProfileRecord {
    const existing = this.profile(input.id);
    if (input.version !== undefined && input.version !== null && input.version !== existing.version)
      throw new CloudError(
        409,
        TB_ERROR.VERSION_CONFLICT,
        'Device profile was already changed by someone else: refresh it and try again',
      );
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) throw CloudError.badRequest('Device profile name should be specified!');
    const sameName = this.profileByName(name);
    if (sameName && sameName.id !== existing.id)
      throw CloudError.badRequest('Device profile with such name already exists!');
    const firmwareId = this.checkAssignable(input.firmwareId ?? null, 'FIRMWARE', existing.id);
    const softwareId = this.checkAssignable(input.softwareId ?? null, 'SOFTWARE', existing.id);
    const saved: ProfileRecord = {
      ...existing,
      name,
      description: typeof input.description === 'string' ? input.description : '',
      firmwareId,
      softwareId,
      version: existing.version + 1,
    };
    this.profiles.set(saved.id, saved);
    for (const device of this.devices.values()) {
      if (device.profileId !== saved.id) continue;
      if (device.firmwareId === null)
        this.onSlotChange(device, 'FIRMWARE', existing.firmwareId, firmwareId);
      if (device.softwareId === null)
        this.onSlotChange(device, 'SOFTWARE', existing.softwareId, softwareId);
    }
    return saved;
  }

  /** An edit in the console: the profile saved with its current version and some fields changed. */
  editProfile(
    id: string,
    changes: { description?: string; firmwareId?: string | null; softwareId?: string | null },
  ): ProfileRecord {
    const p = this.profile(id);
    return this.saveProfile({
      id: p.id,
      name: p.name,
      description: changes.description ?? p.description,
      firmwareId: changes.firmwareId === undefined ? p.firmwareId : changes.firmwareId,
      softwareId: changes.softwareId === undefined ? p.softwareId : changes.softwareId,
      version: p.version,
    });
  }

  deleteProfile(id: string): void {
    const profile = this.profile(id);
    if ([...this.devices.values()].some((d) => d.profileId === id))
      throw CloudError.badRequest(
        'The device profile referenced by the devices cannot be deleted!',
      );
    this.profiles.delete(profile.id);
    // ThingsBoard's ota_package -> device_profile key is ON DELETE CASCADE: its packages go too.
    for (const pkg of [...this.packages.values()])
      if (pkg.profileId === profile.id) this.packages.delete(pkg.id);
  }

  // ---- devices ----

  device(id: string): DeviceRecord {
    const found = this.devices.get(id);
    if (!found) throw CloudError.notFound();
    return found;
  }

  deviceByName(name: string): DeviceRecord | undefined {
    return [...this.devices.values()].find((d) => d.name === name);
  }

  credentialsOf(deviceId: string): CredentialsRecord {
    this.device(deviceId);
    const found = [...this.credentials.values()].find((c) => c.deviceId === deviceId);
    if (!found) throw CloudError.notFound();
    return found;
  }

  deviceByToken(token: string): DeviceRecord | undefined {
    const creds = [...this.credentials.values()].find((c) => c.token === token);
    return creds ? this.devices.get(creds.deviceId) : undefined;
  }

  /**
   * POST /api/device: creates (no id) or replaces the whole device (id). A `version` that is not
   * the current one is a 409; an omitted one overwrites, as in ThingsBoard.
   */
  saveDevice(input: DeviceInput, accessToken?: string): DeviceRecord {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) throw CloudError.badRequest('Device name should be specified!');
    const existing = input.id ? this.device(input.id) : undefined;
    if (existing && input.version !== undefined && input.version !== null) {
      if (input.version !== existing.version)
        throw new CloudError(
          409,
          TB_ERROR.VERSION_CONFLICT,
          'Device was already changed by someone else: refresh it and try again',
        );
    }
    const sameName = this.deviceByName(name);
    if (sameName && sameName.id !== existing?.id)
      throw CloudError.badRequest('Device with such name already exists!');
    const profileId = this.resolveProfile(input);
    const firmwareId = this.checkAssignable(input.firmwareId ?? null, 'FIRMWARE', profileId);
    const softwareId = this.checkAssignable(input.softwareId ?? null, 'SOFTWARE', profileId);
    if (!existing && accessToken !== undefined) {
      if (!accessToken.trim()) throw CloudError.badRequest('Incorrect access token!');
      if (this.deviceByToken(accessToken))
        throw CloudError.badRequest('Device credentials are already assigned to another device!');
    }
    const saved: DeviceRecord = {
      id: existing?.id ?? randomUUID(),
      createdTime: existing?.createdTime ?? this.createdTime(),
      name,
      label: typeof input.label === 'string' ? input.label : null,
      profileId,
      firmwareId,
      softwareId,
      additionalInfo: input.additionalInfo ?? existing?.additionalInfo ?? null,
      version: (existing?.version ?? 0) + 1,
    };
    this.devices.set(saved.id, saved);
    if (!existing) {
      this.credentials.set(saved.id, {
        id: randomUUID(),
        createdTime: saved.createdTime,
        deviceId: saved.id,
        token: accessToken ?? randomToken(),
      });
      bump(this.counters.deviceCreates, name);
    }
    for (const type of ['FIRMWARE', 'SOFTWARE'] as const)
      this.onSlotChange(
        saved,
        type,
        existing ? this.resolvedPackage(existing, type) : null,
        this.resolvedPackage(saved, type),
      );
    return saved;
  }

  /** The device's own package, else its profile's: what ThingsBoard sends it. */
  private resolvedPackage(device: DeviceRecord, type: OtaPackageType): string | null {
    const own = type === 'FIRMWARE' ? device.firmwareId : device.softwareId;
    if (own !== null) return own;
    const profile = this.profiles.get(device.profileId);
    return (type === 'FIRMWARE' ? profile?.firmwareId : profile?.softwareId) ?? null;
  }

  /** An edit in the console: the device saved with its current version and some fields changed. */
  editDevice(
    id: string,
    changes: {
      name?: string;
      label?: string;
      firmwareId?: string | null;
      softwareId?: string | null;
      profileId?: string;
    },
  ): DeviceRecord {
    const d = this.device(id);
    return this.saveDevice({
      id: d.id,
      name: changes.name ?? d.name,
      label: changes.label ?? d.label,
      deviceProfileId: changes.profileId ?? d.profileId,
      firmwareId: changes.firmwareId === undefined ? d.firmwareId : changes.firmwareId,
      softwareId: changes.softwareId === undefined ? d.softwareId : changes.softwareId,
      additionalInfo: d.additionalInfo,
      version: d.version,
    });
  }

  saveCredentials(input: {
    deviceId?: string;
    credentialsId?: unknown;
    credentialsType?: unknown;
  }): CredentialsRecord {
    if (!input.deviceId)
      throw CloudError.badRequest('Device credentials should be assigned to device!');
    if (input.credentialsType !== 'ACCESS_TOKEN')
      throw CloudError.badRequest('Only ACCESS_TOKEN credentials are supported by the emulator');
    const token = typeof input.credentialsId === 'string' ? input.credentialsId.trim() : '';
    if (!token) throw CloudError.badRequest('Device credentials id should be specified!');
    const current = this.credentialsOf(input.deviceId);
    const other = this.deviceByToken(token);
    if (other && other.id !== input.deviceId)
      throw CloudError.badRequest('Device credentials are already assigned to another device!');
    current.token = token;
    return current;
  }

  deleteDevice(id: string): void {
    this.device(id);
    this.devices.delete(id);
    this.credentials.delete(id);
    this.telemetry.delete(id);
    this.sharedAttributes.delete(id);
  }

  private resolveProfile(input: DeviceInput): string {
    if (input.deviceProfileId) {
      // ThingsBoard's device validation: a 400, not a 404, for a profile that is gone.
      if (!this.profiles.has(input.deviceProfileId))
        throw CloudError.badRequest('Device is referencing non existing device profile!');
      return input.deviceProfileId;
    }
    const byType = typeof input.type === 'string' ? this.profileByName(input.type) : undefined;
    if (byType) return byType.id;
    const fallback = [...this.profiles.values()].find((p) => p.isDefault);
    if (!fallback) throw CloudError.badRequest('Device profile should be specified!');
    return fallback.id;
  }

  private checkAssignable(
    packageId: string | null,
    type: OtaPackageType,
    profileId: string,
  ): string | null {
    if (packageId === null) return null;
    const pkg = this.packages.get(packageId);
    const what = type === 'FIRMWARE' ? 'firmware' : 'software';
    if (!pkg) throw CloudError.badRequest(`Can't assign non-existent ${what}!`);
    if (pkg.type !== type)
      throw CloudError.badRequest(`Can't assign ${what} with type: ${pkg.type}`);
    if (!pkg.data) throw CloudError.badRequest(`Can't assign ${what} with empty data!`);
    if (pkg.profileId !== profileId)
      throw CloudError.badRequest(`Can't assign ${what} with different deviceProfile!`);
    return pkg.id;
  }

  /** What ThingsBoard's OTA state service does when a device's package changes. */
  private onSlotChange(
    device: DeviceRecord,
    type: OtaPackageType,
    before: string | null,
    after: string | null,
  ): void {
    if (before === after) return;
    const keys = otaKeys(type);
    const attributes = this.attributesOf(device.id);
    if (after === null) {
      for (const key of [
        keys.title,
        keys.version,
        keys.ts,
        keys.state,
        keys.size,
        keys.checksum,
        keys.checksumAlgorithm,
        keys.url,
        keys.tag,
      ])
        attributes.delete(key);
      return;
    }
    const pkg = this.packages.get(after);
    if (!pkg) return;
    bump(this.counters.assignmentsApplied, `${device.id}|${type}|${after}`);
    const ts = this.now();
    const target: Record<string, unknown> = {
      [keys.targetTitle]: pkg.title,
      [keys.targetVersion]: pkg.version,
      [keys.targetTs]: ts,
      [keys.state]: 'QUEUED',
    };
    if (pkg.tag) target[keys.targetTag] = pkg.tag;
    this.writeTelemetry(device.id, ts, target, 'server');
    // INITIATED follows QUEUED in TB (through its queue); one ms later keeps both in the history.
    this.writeTelemetry(device.id, ts + 1, { [keys.state]: 'INITIATED' }, 'server');
    attributes.set(keys.title, pkg.title);
    attributes.set(keys.version, pkg.version);
    if (pkg.tag) attributes.set(keys.tag, pkg.tag);
    else attributes.delete(keys.tag);
    attributes.set(keys.ts, ts);
    attributes.set(keys.size, pkg.data?.length ?? 0);
    attributes.set(keys.checksumAlgorithm, pkg.checksumAlgorithm);
    attributes.set(keys.checksum, pkg.checksum);
    attributes.delete(keys.url);
  }

  private attributesOf(deviceId: string): Map<string, unknown> {
    let map = this.sharedAttributes.get(deviceId);
    if (!map) this.sharedAttributes.set(deviceId, (map = new Map()));
    return map;
  }

  // ---- OTA packages ----

  package(id: string): PackageRecord {
    const found = this.packages.get(id);
    if (!found) throw CloudError.notFound();
    return found;
  }

  createPackage(input: PackageInput): PackageRecord {
    const title = typeof input.title === 'string' ? input.title.trim() : '';
    const version = typeof input.version === 'string' ? input.version.trim() : '';
    if (!title) throw CloudError.badRequest('OtaPackage title should be specified!');
    if (!version) throw CloudError.badRequest('OtaPackage version should be specified!');
    if (input.type !== 'FIRMWARE' && input.type !== 'SOFTWARE')
      throw CloudError.badRequest('Type should be specified!');
    if (!input.deviceProfileId)
      throw CloudError.badRequest('OtaPackage should be assigned to device profile!');
    const profile = this.profile(input.deviceProfileId);
    if ([...this.packages.values()].some((p) => p.title === title && p.version === version))
      throw CloudError.badRequest('OtaPackage with such title and version already exists!');
    const pkg: PackageRecord = {
      id: randomUUID(),
      createdTime: this.createdTime(),
      profileId: profile.id,
      type: input.type,
      title,
      version,
      tag: typeof input.tag === 'string' ? input.tag : null,
      additionalInfo: input.additionalInfo ?? { description: '' },
      fileName: null,
      contentType: null,
      checksumAlgorithm: null,
      checksum: null,
      data: null,
    };
    this.packages.set(pkg.id, pkg);
    bump(this.counters.packageCreates, `${title}@${version}`);
    return pkg;
  }

  /** The binary of POST /api/otaPackage/{id}: checksum checked; other bytes than stored refused. */
  uploadPackageData(
    id: string,
    file: { data: Buffer; fileName: string; contentType: string },
    algorithmParam: string | undefined,
    checksumParam: string | undefined,
  ): PackageRecord {
    const pkg = this.package(id);
    if (!algorithmParam || !(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithmParam))
      throw CloudError.badRequest(`Unsupported checksum algorithm: ${algorithmParam ?? '(none)'}`);
    const algorithm = algorithmParam as ChecksumAlgorithm;
    if (file.data.length === 0) throw CloudError.badRequest('OtaPackage data should be specified!');
    const actual = checksumOfBuffer(algorithm, file.data);
    const expected = checksumParam?.trim().toLowerCase();
    if (expected && expected !== actual) throw CloudError.badRequest('Wrong otaPackage file!');
    if (pkg.data && !pkg.data.equals(file.data))
      throw CloudError.badRequest('Updating otaPackage data is prohibited!');
    pkg.data = Buffer.from(file.data);
    pkg.fileName = file.fileName;
    pkg.contentType = file.contentType;
    pkg.checksumAlgorithm = algorithm;
    pkg.checksum = actual;
    return pkg;
  }

  deletePackage(id: string): void {
    const pkg = this.package(id);
    if ([...this.devices.values()].some((d) => d.firmwareId === id || d.softwareId === id))
      throw CloudError.badRequest('The otaPackage referenced by the devices cannot be deleted!');
    if ([...this.profiles.values()].some((p) => p.firmwareId === id || p.softwareId === id))
      throw CloudError.badRequest(
        'The otaPackage referenced by the device profile cannot be deleted!',
      );
    this.packages.delete(pkg.id);
  }

  // ---- telemetry ----

  /** Same key at the same ts overwrites, as in ThingsBoard's ts_kv. */
  writeTelemetry(
    deviceId: string,
    ts: number,
    values: Record<string, unknown>,
    origin: TelemetryOrigin,
  ): void {
    let byKey = this.telemetry.get(deviceId);
    if (!byKey) this.telemetry.set(deviceId, (byKey = new Map()));
    for (const [key, value] of Object.entries(values)) {
      let series = byKey.get(key);
      if (!series) byKey.set(key, (series = new Map()));
      const before = series.get(ts);
      if (origin === 'device') {
        this.counters.telemetryPointsReceived += 1;
        if (before && JSON.stringify(before.value) === JSON.stringify(value))
          this.counters.telemetryRedelivered += 1;
        else if (before) this.counters.telemetryOverwritten += 1;
      }
      series.set(ts, { value, origin });
    }
  }

  /** Every stored point of a device, oldest first. */
  points(deviceId: string): { key: string; ts: number; value: unknown; origin: TelemetryOrigin }[] {
    const out: { key: string; ts: number; value: unknown; origin: TelemetryOrigin }[] = [];
    for (const [key, series] of this.telemetry.get(deviceId) ?? []) {
      for (const [ts, point] of series) out.push({ key, ts, ...point });
    }
    return out.sort((a, b) => a.ts - b.ts || a.key.localeCompare(b.key));
  }
}

export interface DeviceInput {
  id?: string;
  name?: unknown;
  label?: unknown;
  type?: unknown;
  deviceProfileId?: string;
  firmwareId?: string | null;
  softwareId?: string | null;
  additionalInfo?: unknown;
  version?: number | null;
}

export interface ProfileInput {
  id: string;
  name?: unknown;
  description?: unknown;
  firmwareId?: string | null;
  softwareId?: string | null;
  version?: number | null;
}

export interface PackageInput {
  title?: unknown;
  version?: unknown;
  tag?: unknown;
  type?: unknown;
  deviceProfileId?: string;
  additionalInfo?: unknown;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function randomToken(): string {
  return randomUUID().replace(/-/g, '').slice(0, 20);
}
