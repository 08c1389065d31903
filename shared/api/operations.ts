/**
 * The application API: every operation the UI, the CLI and the Electron shell may call, with
 * the schema of its arguments and of its result. Both transports (Electron IPC, HTTP) validate
 * arguments against these schemas at the boundary.
 */
import { z } from 'zod';

import { hasControlChars } from '../text/control-chars';
import {
  ChecksumAlgorithmSchema,
  CloudConflict,
  CloudLogEntry,
  CloudPackage,
  CloudPendingItem,
  CloudStatus,
  ConflictChoice,
  Device,
  DeviceDetail,
  DeviceHistory,
  DeviceSessionInfo,
  Execution,
  Id,
  Job,
  JobDetail,
  JobPolicy,
  Package,
  PackageType,
  Profile,
  ProtocolErrorEntry,
  PullSummary,
  PushSummary,
  StationStatus,
  Timestamp,
} from './entities';

/**
 * Names and labels are shown in tables, terminals, logs and reports: a control character in one
 * could break a line or move a terminal's cursor, so none is accepted (any script is).
 */
const plainText = (schema: z.ZodString) =>
  schema.refine((text) => !hasControlChars(text), {
    message: 'must not contain control characters (line breaks, tabs, escape codes)',
  });
const Name = plainText(z.string().trim().min(1, 'is required').max(255));
const Label = plainText(z.string().trim().max(255));
/** Access tokens are MQTT usernames: printable, no spaces, like ThingsBoard's credentials. */
const AccessToken = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'may contain only printable characters without spaces');

export const PackageMeta = z.object({
  title: Name,
  version: Name,
  profileId: Id,
  type: PackageType,
  /** Defaults to "title version", as the console does. */
  tag: Label.optional(),
  checksumAlgorithm: ChecksumAlgorithmSchema.default('SHA256'),
  /** If given, the import fails unless the file matches it. */
  checksum: z.string().trim().max(256).optional(),
  fileName: plainText(z.string().trim().min(1).max(255)),
  contentType: z.string().max(255).optional(),
});
export type PackageMeta = z.infer<typeof PackageMeta>;
export type PackageMetaInput = z.input<typeof PackageMeta>;

const Empty = z.object({}).strict();

/** What a change of a profile's package did. */
export const ProfileAssignment = z.object({
  profile: Profile,
  /** False: the profile already had it (nothing was sent to anyone). */
  changed: z.boolean(),
  /** The devices the change reaches: those of the profile without their own package of that type. */
  devices: z.number().int().nonnegative(),
  /** The job delivering the new package to them; null when nothing is to be delivered. */
  job: Job.nullable(),
});
export type ProfileAssignment = z.infer<typeof ProfileAssignment>;

/** A job's policy as asked for: every field has the site-friendly default. */
export const JobPolicyInput = z.object({
  concurrency: JobPolicy.shape.concurrency.default(10),
  timeoutSec: JobPolicy.shape.timeoutSec.default(600),
  retries: JobPolicy.shape.retries.default(1),
  retryDelaySec: JobPolicy.shape.retryDelaySec.default(2),
  haltAfterFailures: JobPolicy.shape.haltAfterFailures.default(null),
  haltAfterPercent: JobPolicy.shape.haltAfterPercent.default(null),
});

function op<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const operations = {
  'station.status': op(Empty, StationStatus),
  /** Serve devices on the site network (on) or on this computer only (off); kept across restarts. */
  'station.setSiteNetwork': op(z.object({ enabled: z.boolean() }), StationStatus),
  'station.protocolErrors': op(
    z.object({ limit: z.number().int().min(1).max(1000).default(100) }),
    z.array(ProtocolErrorEntry),
  ),
  /** Who is connected now: each device's MQTT sessions with what they last sent. */
  'station.sessions': op(Empty, z.array(DeviceSessionInfo)),

  'profiles.list': op(Empty, z.array(Profile)),
  'profiles.add': op(
    z.object({ name: Name, description: z.string().max(1000).default('') }),
    Profile,
  ),
  /**
   * A device profile's firmware or software (the package's type says which): every device of
   * the profile without its own package of that type gets it, in one job with this policy,
   * including devices that join the profile later. See profile-rollout.ts.
   */
  'profiles.assign': op(
    z.object({
      profileId: Id,
      packageId: Id,
      policy: JobPolicyInput.default(JobPolicyInput.parse({})),
    }),
    ProfileAssignment,
  ),
  /** Takes a profile's firmware (software) back from every device that got it from the profile. */
  'profiles.unassign': op(z.object({ profileId: Id, type: PackageType }), ProfileAssignment),

  'devices.list': op(Empty, z.array(Device)),
  'devices.get': op(z.object({ id: Id }), DeviceDetail),
  /**
   * A device's whole story on this station: every update with its attempts, its recent
   * telemetry and the protocol errors its connections made (newest first).
   */
  'devices.history': op(
    z.object({ id: Id, limit: z.number().int().min(1).max(1000).default(100) }),
    DeviceHistory,
  ),
  'devices.add': op(
    z.object({
      name: Name,
      profileId: Id,
      label: Label.default(''),
      accessToken: AccessToken.optional(),
    }),
    Device,
  ),
  /**
   * Renames and/or relabels a device on site (synced to the cloud), or moves it to another
   * device profile (whose packages it then follows). See device-handlers.ts.
   */
  'devices.update': op(
    z
      .object({ id: Id, name: Name.optional(), label: Label.optional(), profileId: Id.optional() })
      .refine((v) => v.name !== undefined || v.label !== undefined || v.profileId !== undefined, {
        message: 'give a new name, a new label or a new device profile',
        path: ['name'],
      }),
    Device,
  ),

  'packages.list': op(Empty, z.array(Package)),
  'packages.delete': op(z.object({ id: Id }), z.object({ id: Id })),
  /** Re-hashes the cached binary; marks it CORRUPT (never served) if it no longer matches. */
  'packages.verify': op(z.object({ id: Id }), Package),

  /** The console's "Assign firmware" + "Apply" for one device. */
  'assignments.assign': op(z.object({ deviceId: Id, packageId: Id }), Execution),
  'assignments.unassign': op(
    z.object({ deviceId: Id, type: PackageType }),
    z.object({ deviceId: Id, type: PackageType }),
  ),

  'executions.list': op(
    z.object({ deviceId: Id.optional(), limit: z.number().int().min(1).max(10_000).default(1000) }),
    z.array(Execution),
  ),
  /** Sends the same package again to a device whose update FAILED or TIMED_OUT. */
  'executions.retry': op(z.object({ id: Id }), Execution),

  // ---- Jobs (rollouts) ----
  /** Assigns a package to a selection of devices or to every device of a profile. */
  'jobs.create': op(
    z
      .object({
        packageId: Id,
        deviceIds: z.array(Id).min(1).max(100_000).optional(),
        profileId: Id.optional(),
        policy: JobPolicyInput.default(JobPolicyInput.parse({})),
        /** Start later (epoch ms); now when absent. */
        startAt: Timestamp.optional(),
      })
      .refine((v) => (v.deviceIds === undefined) !== (v.profileId === undefined), {
        message: 'give either deviceIds or profileId',
        path: ['deviceIds'],
      }),
    Job,
  ),
  'jobs.list': op(
    z.object({ limit: z.number().int().min(1).max(1000).default(100) }),
    z.array(Job),
  ),
  'jobs.get': op(z.object({ id: Id }), JobDetail),
  'jobs.pause': op(z.object({ id: Id }), Job),
  'jobs.resume': op(z.object({ id: Id }), Job),
  /** Un-assigns devices not yet installing; finished and installing devices are left as they are. */
  'jobs.cancel': op(z.object({ id: Id }), Job),
  /** Sends the package again, at once, to every device of the job whose update failed. */
  'jobs.retryFailed': op(z.object({ id: Id }), Job),
  'jobs.report': op(
    z.object({ id: Id, format: z.enum(['csv', 'json']).default('csv') }),
    z.object({ fileName: z.string(), contentType: z.string(), body: z.string() }),
  ),

  // ---- Cloud sync ----
  'cloud.status': op(Empty, CloudStatus),
  /** Signs in (the password is used once and never stored) and keeps the session's tokens. */
  'cloud.login': op(
    z.object({
      url: z.string().trim().min(1, 'is required').max(2048),
      username: z.string().trim().min(1, 'is required').max(255),
      password: z.string().min(1, 'is required').max(1024),
    }),
    CloudStatus,
  ),
  /** Forgets the session's tokens; what is waiting to be pushed stays queued. */
  'cloud.logout': op(Empty, CloudStatus),
  /**
   * "Prepare a site visit": profiles, devices with their tokens, package infos and current
   * assignments; binaries of the packages assigned to the chosen devices (all when none is
   * named) and of the packages picked by cloud id.
   */
  'cloud.pull': op(
    z.object({
      deviceNames: z.array(Name).max(100_000).optional(),
      packageIds: z.array(Id).max(10_000).optional(),
      binaries: z.enum(['ASSIGNED', 'NONE']).default('ASSIGNED'),
    }),
    PullSummary,
  ),
  /** "Sync now": pushes the outbox in order, then the telemetry recorded on site. */
  'cloud.push': op(Empty, PushSummary),
  'cloud.pending': op(Empty, z.array(CloudPendingItem)),
  'cloud.conflicts': op(Empty, z.array(CloudConflict)),
  'cloud.resolveConflict': op(
    z.object({ id: z.number().int(), choice: ConflictChoice }),
    z.object({ id: z.number().int(), resolved: z.boolean(), message: z.string() }),
  ),
  /** A FAILED item is tried again on the next push. */
  'cloud.retryItem': op(z.object({ id: z.number().int() }), z.object({ id: z.number().int() })),
  /** A FAILED item is dropped: the cloud will not learn that change. */
  'cloud.discardItem': op(z.object({ id: z.number().int() }), z.object({ id: z.number().int() })),
  'cloud.log': op(
    z.object({ limit: z.number().int().min(1).max(2000).default(200) }),
    z.array(CloudLogEntry),
  ),
  /** The cloud's packages as last pulled, with whether each binary is cached. */
  'cloud.packages': op(Empty, z.array(CloudPackage)),
  /** Automatic sync: probe the cloud, push when it is reachable (default on once signed in). */
  'cloud.setAutoSync': op(z.object({ enabled: z.boolean() }), CloudStatus),
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type OperationInput<N extends OperationName> = z.input<Operations[N]['input']>;
export type OperationArgs<N extends OperationName> = z.output<Operations[N]['input']>;
export type OperationResult<N extends OperationName> = z.output<Operations[N]['output']>;

/** What a transport implements: one async function per operation, arguments already validated. */
export type ApiHandlers = {
  [N in OperationName]: (args: OperationArgs<N>) => Promise<OperationResult<N>>;
};

/** What a client (the renderer, the CLI) calls. */
export interface ApiClient {
  call<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationResult<N>>;
}

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(operations, name);
}
