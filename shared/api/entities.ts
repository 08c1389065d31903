/** The objects the station shows the technician, as they cross the API boundary. */
import { z } from 'zod';

import { CHECKSUM_ALGORITHMS } from '../protocol/checksum-algorithms';
import { OTA_PACKAGE_TYPES } from '../protocol/ota-keys';
import { OTA_STATES } from '../protocol/states';

export const Id = z.string().min(1).max(64);
export const Timestamp = z.number().int().nonnegative();
/** A count of things (devices, bytes): a whole number, never negative. */
export const Count = z.number().int().nonnegative();
export const PackageType = z.enum(OTA_PACKAGE_TYPES);
export const ChecksumAlgorithmSchema = z.enum(CHECKSUM_ALGORITHMS);
export const OtaStateSchema = z.enum(OTA_STATES);

/** LOCAL: made on this laptop, the cloud doesn't know it yet; SYNCED: the cloud has it. */
export const SyncStatus = z.enum(['LOCAL', 'SYNCED']);

/** A package as a device profile names it: enough to show, the id to look the rest up. */
export const ProfilePackage = z.object({ packageId: Id, title: z.string(), version: z.string() });
export type ProfilePackage = z.infer<typeof ProfilePackage>;

export const Profile = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  /** What every device of the profile without its own firmware (software) gets; null: none. */
  firmware: ProfilePackage.nullable(),
  software: ProfilePackage.nullable(),
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

/** Who said an attempt failed: the device (its fw_error) or the station (time-out, version check). */
export const ErrorSource = z.enum(['DEVICE', 'STATION']);
export type ErrorSource = z.infer<typeof ErrorSource>;

/** One try of a delivery: its own bytes, times and, once it ended, its outcome and error. */
export const Attempt = z.object({
  number: z.number().int().positive(),
  startedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  /** The state it ended in; null while it runs. */
  outcome: OtaStateSchema.nullable(),
  error: z.string().nullable(),
  reportedBy: ErrorSource.nullable(),
  bytesServed: z.number().int().nonnegative(),
  /** Why it started, when not by the job's own turn (a retry, a device that came back). */
  note: z.string().nullable(),
});
export type Attempt = z.infer<typeof Attempt>;

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
  /** The rollout this delivery belongs to (every assignment is a job; older rows may have none). */
  jobId: Id.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
  history: z.array(StateChange),
  /** Every try, oldest first: the error of each stays after a retry. */
  attemptLog: z.array(Attempt),
});
export type Execution = z.infer<typeof Execution>;

/** How a rollout treats the site: how many download at once, how long silence is allowed. */
export const JobPolicy = z.object({
  /** Devices downloading at once; the rest wait QUEUED. 0 = no limit. */
  concurrency: z.number().int().min(0).max(100_000),
  /** Seconds without progress before a device's update is TIMED_OUT. 0 = never. */
  timeoutSec: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600),
  /** Automatic re-deliveries after FAILED or TIMED_OUT. */
  retries: z.number().int().min(0).max(20),
  /**
   * Seconds between a failure and its re-delivery. At least 1: sent at once, the attributes
   * reach a device still busy reporting its failure, and a ThingsBoard device ignores them then.
   * Longer gives a flaky access point or a rebooting device time to recover.
   */
  retryDelaySec: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600),
  /** Auto-pause once this many devices failed for good (null = no limit). */
  haltAfterFailures: z.number().int().min(1).nullable(),
  /** Auto-pause once this share of the job's devices failed for good, in percent. */
  haltAfterPercent: z.number().min(0.1).max(100).nullable(),
});
export type JobPolicy = z.infer<typeof JobPolicy>;

export const JobTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('DEVICES'), deviceIds: z.array(Id) }),
  z.object({
    kind: z.literal('PROFILE'),
    profileId: Id,
    profileName: z.string(),
    /** The devices the job was created for (its executions name every device it reached). */
    deviceIds: z.array(Id),
    /**
     * True: the job delivers the profile's own package to the devices that follow the profile
     * (none of their own); devices that come to follow it while the job is open join it.
     * Absent: the package was assigned to each device of the profile as its own.
     */
    profilePackage: z.boolean().optional(),
  }),
]);
export type JobTarget = z.infer<typeof JobTarget>;

export const JobStatus = z.enum(['SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELED']);
export type JobStatus = z.infer<typeof JobStatus>;

export const Job = z.object({
  id: Id,
  packageId: Id.nullable(),
  type: PackageType,
  packageTitle: z.string(),
  packageVersion: z.string(),
  target: JobTarget,
  policy: JobPolicy,
  startAt: Timestamp,
  status: JobStatus,
  /** Why it is paused (by the technician, or auto-paused with the failure count). */
  statusReason: z.string().nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
  counts: z.object({
    total: Count,
    queued: Count,
    active: Count,
    updated: Count,
    /** Failed for good: no retry left (or canceled after a failure). Never goes down by itself. */
    failed: Count,
    /** Failed at least once and still being retried (waiting for its retry, or in it). */
    retrying: Count,
    canceled: Count,
  }),
  /**
   * Progress that never goes back: a finished device counts whole, one in flight its furthest
   * attempt so far (a retry restarting at 0 does not pull the job's figure down).
   */
  bytesServed: Count,
  bytesTotal: Count,
  /**
   * From the rate so far, and never less than the time-out still to wait for a silent device;
   * null when not running or not yet measurable.
   */
  etaSeconds: z.number().int().nonnegative().nullable(),
});
export type Job = z.infer<typeof Job>;

export const JobDetail = Job.extend({ executions: z.array(Execution) });
export type JobDetail = z.infer<typeof JobDetail>;

export const AssignmentSource = z.enum(['DEVICE', 'PROFILE']);
export type AssignmentSource = z.infer<typeof AssignmentSource>;

/** One package slot (firmware or software) of a device. */
export const OtaSlot = z.object({
  currentTitle: z.string().nullable(),
  currentVersion: z.string().nullable(),
  /** The package the device gets: its own, else its profile's (as ThingsBoard resolves it). */
  assignedPackageId: Id.nullable(),
  assignedTitle: z.string().nullable(),
  assignedVersion: z.string().nullable(),
  /** Where the assigned package comes from: the device's own assignment or its profile's. */
  assignedFrom: AssignmentSource.nullable(),
  state: OtaStateSchema.nullable(),
  error: z.string().nullable(),
  bytesServed: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  executionId: Id.nullable(),
});
export type OtaSlot = z.infer<typeof OtaSlot>;

/** How a device reaches the station. */
export const DeviceTransport = z.enum(['mqtt', 'http', 'coap']);
export type DeviceTransport = z.infer<typeof DeviceTransport>;

export const Device = z.object({
  id: Id,
  name: z.string(),
  label: z.string(),
  profileId: Id,
  profileName: z.string(),
  accessToken: z.string(),
  online: z.boolean(),
  lastSeenAt: Timestamp.nullable(),
  /** How the device last reached the station; null until its first call. */
  lastTransport: DeviceTransport.nullable(),
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
  /** 'info': worth knowing, nothing the technician must act on (e.g. a ThingsBoard SDK habit). */
  severity: z.enum(['error', 'info']),
  kind: z.string(),
  message: z.string(),
  deviceId: Id.nullable(),
  deviceName: z.string().nullable(),
  clientId: z.string().nullable(),
  remoteAddress: z.string(),
});
export type ProtocolErrorEntry = z.infer<typeof ProtocolErrorEntry>;

export const DeviceHistory = z.object({
  deviceId: Id,
  /** Newest first. */
  executions: z.array(Execution),
  /** Newest first. */
  telemetry: z.array(TelemetryPoint),
  protocolErrors: z.array(ProtocolErrorEntry),
});
export type DeviceHistory = z.infer<typeof DeviceHistory>;

/** What a device last sent: its topic's meaning, not the topic. */
export const DeviceMessageKind = z.enum([
  'telemetry',
  'clientAttributes',
  'attributeRequest',
  'rpcRequest',
  'rpcResponse',
  'chunkRequest',
  'unknown',
]);
export type DeviceMessageKind = z.infer<typeof DeviceMessageKind>;

/** One connection of a device, as the station holds it now (a device may hold several). */
export const DeviceSessionInfo = z.object({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  /** The MQTT client id; on other transports a label of the connection's kind. */
  clientId: z.string(),
  remoteAddress: z.string(),
  transport: DeviceTransport,
  /** MQTT protocol level: 3 (3.1), 4 (3.1.1) or 5; null on other transports. */
  protocolVersion: z.union([z.literal(3), z.literal(4), z.literal(5)]).nullable(),
  /** What to show for the protocol: "MQTT 3.1.1", "MQTT 5", "HTTP/1.1", "CoAP". */
  protocolLabel: z.string(),
  connectedAt: Timestamp,
  /** Null until the device publishes anything. */
  lastMessageAt: Timestamp.nullable(),
  lastMessageKind: DeviceMessageKind.nullable(),
  messages: z.number().int().nonnegative(),
  /** Firmware or software chunks it asked for on this connection: 0 means it never downloaded. */
  chunkRequests: z.number().int().nonnegative(),
});
export type DeviceSessionInfo = z.infer<typeof DeviceSessionInfo>;

/** Where devices on the site network reach a listener, e.g. 192.168.1.23 on eth0. */
export const LanAddress = z.object({
  address: z.string(),
  /** Network interface name (eth0, Wi-Fi...); null when the address is on none of them. */
  interface: z.string().nullable(),
  url: z.string(),
});
export type LanAddress = z.infer<typeof LanAddress>;

/** Where devices of one transport connect: one entry per device transport the station serves. */
export const DeviceEndpoint = z.object({
  transport: DeviceTransport,
  host: z.string(),
  port: z.number().int(),
  /** e.g. mqtt://0.0.0.0:1883, https://127.0.0.1:8080 */
  url: z.string(),
  tls: z.boolean(),
  /** As mqtt.lanAddresses: empty while only this computer is served. */
  lanAddresses: z.array(LanAddress),
});
export type DeviceEndpoint = z.infer<typeof DeviceEndpoint>;

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
    /**
     * Where devices on the site network connect, e.g. 192.168.1.23 on eth0: this computer's
     * IPv4 addresses outside loopback (or the one address listened on). Empty when serving this
     * computer only, or when it has no network address right now.
     */
    lanAddresses: z.array(LanAddress),
    /**
     * The address given at start (--mqtt-host, settings.json, FIELD_OTA_MQTT_HOST): it wins over
     * the Station page switch at every start. Null: the switch's saved choice decides.
     */
    configuredHost: z.string().nullable(),
    maxChunkBytes: z.number().int().positive(),
  }),
  http: z.object({ url: z.string() }),
  /** Every device transport's endpoint (MQTT, HTTP…), in the order the Station page lists them. */
  deviceEndpoints: z.array(DeviceEndpoint),
  connectedDevices: z.number().int().nonnegative(),
  sessions: z.number().int().nonnegative(),
});
export type StationStatus = z.infer<typeof StationStatus>;

// ---- Cloud sync (ServicePleX cloud, docs/cloud-api.md) ----

/** SIGN_IN_REQUIRED: the saved session was refused; the technician must sign in again. */
export const CloudConnection = z.enum(['SIGNED_OUT', 'OFFLINE', 'ONLINE', 'SIGN_IN_REQUIRED']);
export type CloudConnection = z.infer<typeof CloudConnection>;

/** A pull or push in progress, for a progress bar. */
export const SyncActivity = z.object({
  kind: z.enum(['PULL', 'PUSH']),
  /** e.g. "device profiles", "devices", "binaries", "outbox", "telemetry". */
  phase: z.string(),
  done: z.number().int().nonnegative(),
  /** Null while unknown (the first page has not arrived yet). */
  total: z.number().int().nonnegative().nullable(),
  /** What done and total count: list items, or the bytes of one binary being downloaded. */
  unit: z.enum(['ITEMS', 'BYTES']),
});
export type SyncActivity = z.infer<typeof SyncActivity>;

export const CloudPendingCounts = z.object({
  profiles: Count,
  devices: Count,
  packages: Count,
  assignments: Count,
  other: Count,
  telemetryPoints: Count,
});
export type CloudPendingCounts = z.infer<typeof CloudPendingCounts>;

export const CloudStatus = z.object({
  url: z.string().nullable(),
  username: z.string().nullable(),
  connection: CloudConnection,
  /** Where the session tokens are kept, e.g. "file readable only by its owner (mode 0600)". */
  tokenStorage: z.string(),
  autoSync: z.boolean(),
  activity: SyncActivity.nullable(),
  lastPullAt: Timestamp.nullable(),
  lastPushAt: Timestamp.nullable(),
  /** When the cloud was last reached (or found unreachable). */
  lastCheckAt: Timestamp.nullable(),
  /** When the next automatic attempt is due (backoff while offline). */
  nextAttemptAt: Timestamp.nullable(),
  lastError: z.string().nullable(),
  /** Items waiting to be pushed (conflicts and failures not included). */
  pending: CloudPendingCounts,
  conflicts: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type CloudStatus = z.infer<typeof CloudStatus>;

/** One outbox item: WAITING means it needs another item in the cloud first (e.g. its package). */
export const CloudPendingItem = z.object({
  id: z.number().int(),
  kind: z.string(),
  entityId: Id,
  label: z.string(),
  status: z.enum(['PENDING', 'WAITING', 'CONFLICT', 'FAILED']),
  attempts: z.number().int().nonnegative(),
  error: z.string().nullable(),
  createdAt: Timestamp,
});
export type CloudPendingItem = z.infer<typeof CloudPendingItem>;

export const ConflictChoice = z.enum(['KEEP_MINE', 'TAKE_CLOUD']);
export type ConflictChoice = z.infer<typeof ConflictChoice>;

/** A change made on site that the cloud contradicts; shown with both sides. */
export const CloudConflict = z.object({
  id: z.number().int(),
  kind: z.enum([
    'ASSIGNMENT',
    'PACKAGE',
    'DEVICE',
    'DEVICE_DELETED',
    'DEVICE_EDIT',
    'PROFILE_ASSIGNMENT',
    'PROFILE_DELETED',
  ]),
  entityId: Id,
  label: z.string(),
  message: z.string(),
  /** What the station has, e.g. {"firmware": "CIM-168 1.0.1"}. */
  local: z.record(z.string(), z.unknown()),
  /** What the cloud has now. */
  cloud: z.record(z.string(), z.unknown()),
  /** What each choice does, in words for the technician. */
  choices: z.object({ KEEP_MINE: z.string(), TAKE_CLOUD: z.string() }),
  createdAt: Timestamp,
});
export type CloudConflict = z.infer<typeof CloudConflict>;

export const CloudLogEntry = z.object({
  id: z.number().int(),
  at: Timestamp,
  level: z.enum(['info', 'warning', 'error']),
  message: z.string(),
});
export type CloudLogEntry = z.infer<typeof CloudLogEntry>;

/** A package the cloud has, and whether its binary is in the station's cache. */
export const CloudPackage = z.object({
  cloudId: z.string(),
  title: z.string(),
  version: z.string(),
  type: PackageType,
  profileName: z.string().nullable(),
  hasData: z.boolean(),
  size: z.number().int().nonnegative().nullable(),
  checksumAlgorithm: z.string().nullable(),
  checksum: z.string().nullable(),
  localPackageId: Id.nullable(),
});
export type CloudPackage = z.infer<typeof CloudPackage>;

export const PullSummary = z.object({
  profiles: z.object({ added: z.number().int(), updated: z.number().int() }),
  devices: z.object({
    added: z.number().int(),
    updated: z.number().int(),
    /** Deleted in the cloud but kept (with their history) and marked. */
    markedDeleted: z.number().int(),
    removed: z.number().int(),
  }),
  packages: z.object({
    listed: z.number().int(),
    downloaded: z.number().int(),
    alreadyCached: z.number().int(),
    markedDeleted: z.number().int(),
    removed: z.number().int(),
    failed: z.array(z.object({ title: z.string(), version: z.string(), error: z.string() })),
  }),
  assignments: z.object({ applied: z.number().int(), skipped: z.number().int() }),
  warnings: z.array(z.string()),
  /** Null when the pull finished; else why it stopped (it continues where it was next time). */
  error: z.string().nullable(),
  finishedAt: Timestamp,
});
export type PullSummary = z.infer<typeof PullSummary>;

export const PushSummary = z.object({
  pushed: z.object({
    profiles: z.number().int(),
    devices: z.number().int(),
    packages: z.number().int(),
    assignments: z.number().int(),
    /** Items with nothing to send (superseded, or local-only like removing a cached package). */
    settled: z.number().int(),
    telemetryPoints: z.number().int(),
  }),
  /** Items still waiting (on another item, or because the round stopped). */
  remaining: z.number().int(),
  conflicts: z.number().int(),
  failed: z.number().int(),
  /** Null when the round got through; else why it stopped (it resumes later, in order). */
  error: z.string().nullable(),
  finishedAt: Timestamp,
});
export type PushSummary = z.infer<typeof PushSummary>;
