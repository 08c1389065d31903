/**
 * The package downloads CoAP devices have open. Every block is its own request, and opening a
 * download (resolving the assignment, checking the blob file on disk) for each one was most of
 * the station's work per block; MQTT binds a download to its request id instead. Here an open
 * download serves the device's next blocks for a moment, then it is opened again, so a package
 * assigned in between is what the device gets within that moment (ThingsBoard re-resolves it
 * for every request).
 */
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type {
  DeviceCaller,
  DeviceResult,
  DeviceService,
  Download,
} from '../device-api/device-service';

/** How long an opened download serves a device's requests before it is resolved again. */
export const DOWNLOAD_REUSE_MS = 1000;

interface Opened {
  download: Download;
  at: number;
}

export class CoapDownloads {
  private readonly opened = new Map<string, Opened>();

  constructor(
    private readonly service: DeviceService,
    private readonly reuseMs = DOWNLOAD_REUSE_MS,
  ) {}

  /** The device's download of `type`; the title and version, when given, must be its package's. */
  async open(
    caller: DeviceCaller,
    type: OtaPackageType,
    wanted: { title?: string; version?: string },
  ): Promise<DeviceResult<Download>> {
    const key = `${caller.device.id}:${type}`;
    const now = Date.now();
    const reused = this.opened.get(key);
    if (
      reused &&
      now - reused.at < this.reuseMs &&
      (wanted.title === undefined || wanted.title === reused.download.title) &&
      (wanted.version === undefined || wanted.version === reused.download.version)
    ) {
      return { ok: true, value: reused.download };
    }
    // Anything else (expired, another title asked for) goes to the service, which decides and
    // records a refusal.
    this.opened.delete(key);
    const result = await this.service.openDownload(caller, type, wanted);
    if (result.ok) this.opened.set(key, { download: result.value, at: now });
    return result;
  }

  /** Forgets the device's downloads (its presence ended). */
  forget(deviceId: string): void {
    for (const type of ['FIRMWARE', 'SOFTWARE'] as const) this.opened.delete(`${deviceId}:${type}`);
  }

  /** Drops expired entries: at most one per device and type is ever held. */
  prune(now = Date.now()): void {
    for (const [key, entry] of this.opened)
      if (now - entry.at >= this.reuseMs) this.opened.delete(key);
  }
}
