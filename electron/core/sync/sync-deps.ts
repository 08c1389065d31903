import type { SyncActivity } from '../../../shared/api/entities';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { PackageStore } from '../packages/package-store';
import type { AttributeRepository } from '../repositories/attributes';
import type { CloudDeviceLinks } from '../repositories/cloud-device-links';
import type { CloudPackageLinks } from '../repositories/cloud-package-links';
import type { CloudPackageList } from '../repositories/cloud-packages';
import type { CloudProfileLinks } from '../repositories/cloud-profile-links';
import type { DeviceRepository } from '../repositories/devices';
import type { ExecutionRepository } from '../repositories/executions';
import type { PackageRepository } from '../repositories/packages';
import type { SyncQueue } from '../repositories/sync-queue';
import type { TelemetryRepository } from '../repositories/telemetry';
import type { TelemetryWatermarks } from '../repositories/telemetry-watermarks';
import type { StationEvents } from '../station-events';
import type { Db } from '../storage/database';

/** The parts of the station the sync reads and writes. */
export interface SyncDeps {
  /** For transactions only: the SQL is in the repositories. */
  db: Db;
  profileLinks: CloudProfileLinks;
  deviceLinks: CloudDeviceLinks;
  packageLinks: CloudPackageLinks;
  queue: SyncQueue;
  watermarks: TelemetryWatermarks;
  cloudPackages: CloudPackageList;
  packageStore: PackageStore;
  packages: PackageRepository;
  devices: DeviceRepository;
  attributes: AttributeRepository;
  telemetry: TelemetryRepository;
  executions: ExecutionRepository;
  /** Assigns as the technician would (the OTA side's own rules), so pulled assignments are served. */
  assigner: CloudAssigner;
  notifier: ChangeNotifier;
  events: StationEvents;
  /** Drops a binary's served copy so a replaced or removed file is re-read. */
  evictServedBinary(sha256: string): Promise<void>;
  log(level: 'info' | 'warning' | 'error', message: string): void;
  now(): number;
  /** Page size for cloud lists (100; tests use small pages to exercise paging). */
  pageSize: number;
  /** Telemetry points per request (500; tests use small batches). */
  telemetryBatch: number;
}

/**
 * How the sync applies an assignment on the station. Wired to the OTA side in station.ts, so the
 * sync does not depend on how deliveries are scheduled. Both may run inside the sync's
 * transaction and write their usual outbox entry (the sync removes it: the cloud has it).
 */
export interface CloudAssigner {
  assign(deviceId: string, packageId: string, now: number): void;
  unassign(deviceId: string, type: OtaPackageType, now: number): void;
  /** A profile's package: its connected followers are told and one job made, as on site. */
  assignProfile(profileId: string, packageId: string, now: number): void;
  unassignProfile(profileId: string, type: OtaPackageType, now: number): void;
  /** The device in the cloud's device profile; its packages re-evaluated, as on a site move. */
  moveDevice(deviceId: string, profileId: string, now: number): void;
}

/** A phase of a pull or push reports how far it got. */
export type ProgressReporter = (
  phase: string,
  done: number,
  total: number | null,
  unit?: SyncActivity['unit'],
) => void;
