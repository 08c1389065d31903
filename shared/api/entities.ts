/** The objects the station shows the technician, as they cross the API boundary. */
import { z } from 'zod';
import { CHECKSUM_ALGORITHMS } from '../protocol/checksum-algorithms';
import { OTA_PACKAGE_TYPES } from '../protocol/ota-keys';
import { OTA_STATES } from '../protocol/states';

export const Id = z.string().min(1).max(64);
export const Timestamp = z.number().int().nonnegative();
export const PackageType = z.enum(OTA_PACKAGE_TYPES);
export const ChecksumAlgorithmSchema = z.enum(CHECKSUM_ALGORITHMS);
export const OtaStateSchema = z.enum(OTA_STATES);

/** LOCAL: made on this laptop, the cloud doesn't know it yet; SYNCED: the cloud has it. */
export const SyncStatus = z.enum(['LOCAL', 'SYNCED']);

export const Profile = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  createdAt: Timestamp,
  syncStatus: SyncStatus,
});
export type Profile = z.infer<typeof Profile>;

export const Package = z.object({
  id: Id,
  title: z.string(),
  version: z.string(),
  tag: z.string(),
  type: PackageType,
  profileId: Id,
  profileName: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int().positive(),
  checksumAlgorithm: ChecksumAlgorithmSchema,
  checksum: z.string(),
  sha256: z.string(),
  status: z.enum(['READY', 'CORRUPT']),
  statusDetail: z.string().nullable(),
  assignedDevices: z.number().int().nonnegative(),
  createdAt: Timestamp,
  syncStatus: SyncStatus,
});
export type Package = z.infer<typeof Package>;

export const StateChange = z.object({
  state: OtaStateSchema,
  at: Timestamp,
  detail: z.string().nullable(),
});
export type StateChange = z.infer<typeof StateChange>;

export const Execution = z.object({
  id: Id,
  deviceId: Id,
  deviceName: z.string(),
  packageId: Id.nullable(),
  type: PackageType,
  packageTitle: z.string(),
  packageVersion: z.string(),
  size: z.number().int().nonnegative(),
  state: OtaStateSchema,
  error: z.string().nullable(),
  /** Highest byte offset served so far: re-sent chunks don't inflate progress. */
  bytesServed: z.number().int().nonnegative(),
  attempts: z.number().int().positive(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  history: z.array(StateChange),
});
export type Execution = z.infer<typeof Execution>;

/** One package slot (firmware or software) of a device. */
export const OtaSlot = z.object({
  currentTitle: z.string().nullable(),
  currentVersion: z.string().nullable(),
  assignedPackageId: Id.nullable(),
  assignedTitle: z.string().nullable(),
  assignedVersion: z.string().nullable(),
  state: OtaStateSchema.nullable(),
  error: z.string().nullable(),
  bytesServed: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  executionId: Id.nullable(),
});
export type OtaSlot = z.infer<typeof OtaSlot>;

export const Device = z.object({
  id: Id,
  name: z.string(),
  label: z.string(),
  profileId: Id,
  profileName: z.string(),
  accessToken: z.string(),
  online: z.boolean(),
  lastSeenAt: Timestamp.nullable(),
  createdAt: Timestamp,
  firmware: OtaSlot,
  software: OtaSlot,
  syncStatus: SyncStatus,
});
export type Device = z.infer<typeof Device>;

export const AttributeValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.record(z.string(), z.unknown()),
  z.array(z.unknown()),
]);
export const TelemetryPoint = z.object({ key: z.string(), ts: Timestamp, value: z.unknown() });

export const DeviceDetail = Device.extend({
  clientAttributes: z.record(z.string(), z.unknown()),
  sharedAttributes: z.record(z.string(), z.unknown()),
  /** The latest value of every telemetry key. */
  latestTelemetry: z.array(TelemetryPoint),
});
export type DeviceDetail = z.infer<typeof DeviceDetail>;

export const ProtocolErrorEntry = z.object({
  id: z.number().int(),
  at: Timestamp,
  kind: z.string(),
  message: z.string(),
  deviceId: Id.nullable(),
  deviceName: z.string().nullable(),
  clientId: z.string().nullable(),
  remoteAddress: z.string(),
});
export type ProtocolErrorEntry = z.infer<typeof ProtocolErrorEntry>;

export const StationStatus = z.object({
  version: z.string(),
  dataDir: z.string(),
  startedAt: Timestamp,
  mqtt: z.object({
    host: z.string(),
    port: z.number().int(),
    url: z.string(),
    tls: z.boolean(),
    /** Whether devices on the site network can reach the station (not just this computer). */
    siteNetwork: z.boolean(),
    maxChunkBytes: z.number().int().positive(),
  }),
  http: z.object({ url: z.string() }),
  connectedDevices: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
});
export type StationStatus = z.infer<typeof StationStatus>;
