import type { StationStatus } from '../../../shared/api/entities';
import type { ApiHandlers } from '../../../shared/api/operations';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import type { SessionRegistry } from '../device-api/session-registry';
import type { JobService } from '../jobs/job-service';
import type { ProfileRollout } from '../jobs/profile-rollout';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { OtaService } from '../ota/ota-service';
import type { PackageStore } from '../packages/package-store';
import type { AttributeRepository } from '../repositories/attributes';
import type { DeviceRepository } from '../repositories/devices';
import type { ExecutionRepository } from '../repositories/executions';
import type { JobRepository } from '../repositories/jobs';
import type { PackageRepository } from '../repositories/packages';
import type { ProfileRepository } from '../repositories/profiles';
import type { TelemetryRepository } from '../repositories/telemetry';
import type { StationEvents } from '../station-events';
import type { SyncService } from '../sync/sync-service';

/** What the application API's handlers are built on: the station core's parts. */
export interface ApiContext {
  profiles: ProfileRepository;
  devices: DeviceRepository;
  packages: PackageRepository;
  executions: ExecutionRepository;
  attributes: AttributeRepository;
  telemetry: TelemetryRepository;
  store: PackageStore;
  ota: OtaService;
  notifier: ChangeNotifier;
  sessions: SessionRegistry;
  errors: ProtocolErrorLog;
  events: StationEvents;
  status(): StationStatus;
  /** Moves the device API listener (site network or this computer only) and saves the choice. */
  setSiteNetwork(enabled: boolean): Promise<void>;
  /** Drops a package's served copy so a deleted or re-verified binary is re-read. */
  evictServedBinary(sha256: string): Promise<void>;
  /** Cloud sync (the cloud.* operations). */
  sync: SyncService;
  jobs: JobService;
  jobRepo: JobRepository;
  /** A profile's own packages, and devices joining or leaving it. */
  rollout: ProfileRollout;
}

/** The handlers of one domain: the operations whose names start with `<domain>.`. */
export type DomainHandlers<Domain extends string> = Pick<
  ApiHandlers,
  Extract<keyof ApiHandlers, `${Domain}.${string}`>
>;
