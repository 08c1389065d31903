import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { OtaService } from '../ota/ota-service';
import { type ChunkSources, CorruptBinaryError } from '../packages/chunk-source';
import type { PackageStore } from '../packages/package-store';
import type { DeviceRepository } from '../repositories/devices';
import type { PackageRepository } from '../repositories/packages';
import {
  accepted,
  type DeviceCaller,
  type DeviceRefusal,
  type DeviceResult,
  type Refused,
} from './device-result';

/** An opened package binary for one device: read any range; report what was served. */
export interface Download {
  readonly packageId: string;
  readonly title: string;
  readonly version: string;
  readonly size: number;
  readonly contentType: string;
  readonly fileName: string;
  /** Bytes [offset, offset+length) clipped to the file, from the verified binary. */
  read(offset: number, length: number): Buffer | Promise<Buffer>;
  /**
   * Bytes [0, end) have reached the device (the highest end counts): moves the byte progress
   * of the execution that was open for this package when the download was opened.
   */
  served(end: number): void;
}

/** What the device asks for; either missing means "whatever is assigned". */
export interface WantedPackage {
  title?: string;
  version?: string;
}

export type Refuse = (
  caller: DeviceCaller,
  refusal: DeviceRefusal,
  kind: string,
  message: string,
) => Refused;

/**
 * Opens the package a device is to download: the one assigned to it, never one it names, so a
 * device can only ever read its own firmware. The binary is checked against its SHA-256 when
 * opened (ChunkSources), and a corrupt one is marked so and never served.
 */
export class PackageDownloads {
  constructor(
    private readonly deps: {
      devices: DeviceRepository;
      packages: PackageRepository;
      store: PackageStore;
      sources: ChunkSources;
      ota: OtaService;
      notifier: ChangeNotifier;
    },
    private readonly refuse: Refuse,
  ) {}

  /** Refusals that need no disk are recorded before this returns, the others when it settles. */
  open(
    caller: DeviceCaller,
    type: OtaPackageType,
    wanted: WantedPackage,
  ): Promise<DeviceResult<Download>> {
    const { device } = caller;
    const packageId = this.deps.devices.assignedPackageId(device.id, type);
    const pkg = packageId ? this.deps.packages.find(packageId) : undefined;
    if (!pkg) {
      return Promise.resolve(
        this.refuse(
          caller,
          'not-found',
          'nothing-assigned',
          `No ${type.toLowerCase()} is assigned to ${device.name}`,
        ),
      );
    }
    const title = wanted.title ?? pkg.title;
    const version = wanted.version ?? pkg.version;
    if (title !== pkg.title || version !== pkg.version) {
      return Promise.resolve(
        this.refuse(
          caller,
          'mismatch',
          'package-mismatch',
          `Asked for ${type.toLowerCase()} ${title} ${version}; ${pkg.title} ${pkg.version} is assigned to ${device.name}`,
        ),
      );
    }
    if (pkg.status === 'CORRUPT') {
      return Promise.resolve(
        this.refuse(
          caller,
          'unavailable',
          'corrupt-package',
          `${pkg.title} ${pkg.version} is corrupt in the cache and is not served`,
        ),
      );
    }
    const executionId = this.deps.ota.activeExecutionFor(device.id, type, pkg.id);
    const { notifier } = this.deps;
    return this.deps.sources.open(pkg.sha256, pkg.size).then(
      (binary) =>
        accepted<Download>({
          packageId: pkg.id,
          title: pkg.title,
          version: pkg.version,
          size: binary.size,
          contentType: pkg.contentType,
          fileName: pkg.fileName,
          read: (offset, length) => binary.read(offset, length),
          served: (end) => {
            if (executionId && end > 0) notifier.bytesServed(executionId, end);
          },
        }),
      (error: unknown) => {
        if (error instanceof CorruptBinaryError) {
          this.deps.store.markCorrupt(pkg.id, error.message);
          return this.refuse(
            caller,
            'unavailable',
            'corrupt-package',
            `${pkg.title} ${pkg.version}: ${error.message}; not served`,
          );
        }
        return this.refuse(
          caller,
          'unavailable',
          'read-error',
          `Could not read ${pkg.title} ${pkg.version}: ${String(error)}`,
        );
      },
    );
  }
}
