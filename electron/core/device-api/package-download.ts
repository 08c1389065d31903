import type { Package } from '../../../shared/api/entities';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { OtaService } from '../ota/ota-service';
import {
  type ChunkSources,
  CorruptBinaryError,
  type ServableBinary,
} from '../packages/chunk-source';
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
import { type OpenDownloadLimits, OpenDownloads } from './open-downloads';

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

/** An opened download with what it was opened for, to tell whether it still holds. */
interface Held {
  download: Download;
  executionId: string | undefined;
  sha256: string;
  binary: ServableBinary;
  /** The database's write count when the lookups last agreed. */
  checkedAt: string;
}

/**
 * Opens the package a device is to download: the one assigned to it, never one it names, so a
 * device can only ever read its own firmware. The binary is checked against its SHA-256 when
 * opened (ChunkSources), and a corrupt one is marked so and never served.
 *
 * The download stays open for the device's next requests, whatever the transport (an HTTP or
 * CoAP chunk is a request of its own, an MQTT request id binds once). Before it is reused,
 * what an open decides is checked again: the same binary file on disk, and, when anything was
 * written to the database since the last check, the same package assigned, still there and not
 * corrupt, and the same execution open. Anything else opens it again, so a reassigned,
 * unassigned, deleted or corrupted package is never served from the open one.
 */
export class PackageDownloads {
  private readonly held: OpenDownloads<Held>;

  constructor(
    private readonly deps: {
      devices: DeviceRepository;
      packages: PackageRepository;
      store: PackageStore;
      sources: ChunkSources;
      ota: OtaService;
      notifier: ChangeNotifier;
      /** Changes whenever the database is written (writeCount). */
      writes: () => string;
    },
    private readonly refuse: Refuse,
    limits: OpenDownloadLimits = {},
  ) {
    this.held = new OpenDownloads(limits);
  }

  /** Downloads held open for devices' next requests. */
  get openCount(): number {
    return this.held.size;
  }

  /** Lets every open download go (the station is closing). */
  close(): void {
    this.held.clear();
  }

  /** Refusals that need no disk are recorded before this returns, the others when it settles. */
  open(
    caller: DeviceCaller,
    type: OtaPackageType,
    wanted: WantedPackage,
  ): Promise<DeviceResult<Download>> {
    const key = `${caller.device.id}:${type}`;
    const held = this.held.get(key);
    if (held && this.stillHolds(held, caller, type, wanted)) {
      return Promise.resolve(accepted(held.download));
    }
    // Anything else (none held, another title asked for, a change) is decided afresh, and a
    // refusal recorded there.
    return this.resolve(caller, type, wanted).then((result) => {
      if (result.ok) this.held.set(key, result.value);
      else this.held.delete(key);
      return result.ok ? accepted(result.value.download) : result;
    });
  }

  private stillHolds(
    held: Held,
    caller: DeviceCaller,
    type: OtaPackageType,
    wanted: WantedPackage,
  ): boolean {
    const { download } = held;
    const deviceId = caller.device.id;
    if (
      (wanted.title !== undefined && wanted.title !== download.title) ||
      (wanted.version !== undefined && wanted.version !== download.version) ||
      !this.deps.sources.isCurrent(held.sha256, held.binary)
    )
      return false;
    const writes = this.deps.writes();
    if (writes === held.checkedAt) return true;
    const holds =
      this.deps.devices.assignedPackageId(deviceId, type) === download.packageId &&
      this.deps.packages.status(download.packageId) === 'READY' &&
      this.deps.ota.activeExecutionFor(deviceId, type, download.packageId) === held.executionId;
    if (holds) held.checkedAt = writes;
    return holds;
  }

  private resolve(
    caller: DeviceCaller,
    type: OtaPackageType,
    wanted: WantedPackage,
  ): Promise<DeviceResult<Held>> {
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
    // Read with the lookups above: a write after them makes the first reuse look again.
    const checkedAt = this.deps.writes();
    const { notifier } = this.deps;
    return this.deps.sources.open(pkg.sha256, pkg.size).then(
      (binary) =>
        accepted<Held>({
          download: downloadOf(pkg, binary, executionId, notifier),
          executionId,
          sha256: pkg.sha256,
          binary,
          checkedAt,
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

/**
 * The download a device is handed. Built here, outside `resolve`, so that its closures capture
 * only what they read: a closure made inside `resolve` would share its scope, and the held
 * download would keep the caller (its session and socket) alive after the device has gone.
 */
function downloadOf(
  pkg: Package,
  binary: ServableBinary,
  executionId: string | undefined,
  notifier: ChangeNotifier,
): Download {
  return {
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
  };
}
