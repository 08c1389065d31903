import { otaKeys, type OtaPackageType } from '../../shared/protocol/ota-keys';
import type { DeviceReportedState } from '../../shared/protocol/states';
import { ChunkDownloader, type DownloadOutcome } from './chunk-downloader';
import type { ConcurrencyLimiter } from './concurrency-limiter';
import { type AttributeNews, ConnectionRefusedError, type DeviceLink } from './device-link';
import { currentTelemetry, failedTelemetry, requestedKeys } from './device-messages';
import { LINK_KINDS } from './link-factory';
import {
  checksumAlgorithmOf,
  type OtaTarget,
  sameTarget,
  targetFromShared,
  verificationError,
} from './ota-target';
import type { SimulationSettings } from './simulation-settings';
import type {
  DeviceResult,
  DeviceStateEvent,
  InstalledPackages,
  SimulatedDeviceState,
} from './types';

interface ActiveUpdate {
  type: OtaPackageType;
  target: OtaTarget;
  downloader: ChunkDownloader;
  /** The connection it was downloading on is gone; resume once Part I confirms the target. */
  needsResume: boolean;
}

type FinalUpdateState = 'UPDATED' | 'FAILED';

/**
 * One device following the seed's sequence: Part I on every connection (telemetry, attribute
 * request, subscriptions), then Part II for each assigned package that differs from the
 * installed one, one package at a time. A lost connection is a reboot-like event: reconnect,
 * redo Part I, and resume the download where it stopped if the assignment is unchanged.
 * Whatever the transport: the link (device-link.ts) puts it on the wire.
 */
export class SimulatedDevice {
  private state: SimulatedDeviceState = 'CONNECTING';
  private error: string | undefined;
  private connection: DeviceLink | undefined;
  private opening: Promise<DeviceLink> | undefined;
  private readonly installed: InstalledPackages;
  private readonly shared = new Map<string, unknown>();
  private active: ActiveUpdate | undefined;
  private readonly pending = new Set<OtaPackageType>();
  /** Last target tried per type, so a FAILED one is not retried until the server pushes it again. */
  private readonly lastTargets = new Map<OtaPackageType, OtaTarget>();
  private readonly outcomes = new Map<
    OtaPackageType,
    { state: FinalUpdateState; error?: string }
  >();
  private otaRequestId = 0;
  private connections = 0;
  private reconnects = 0;
  private bytes = 0;
  private chunks = 0;
  private dropDone = false;
  private dropping = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private releaseHold: (() => void) | undefined;
  private stopped = false;
  private finished = false;
  private startedAt = 0;
  private finishedAt = 0;
  private resolveRun: (result: DeviceResult) => void = () => undefined;

  constructor(
    private readonly token: string,
    private readonly index: number,
    private readonly settings: SimulationSettings,
    private readonly limiter: ConcurrencyLimiter,
    private readonly onState?: (event: DeviceStateEvent) => void,
  ) {
    this.installed = settings.installedFor(token, index);
  }

  /** Resolves once the device is done (updated, failed, connected when silent) or stopped. */
  run(): Promise<DeviceResult> {
    this.startedAt = performance.now();
    const result = new Promise<DeviceResult>((resolve) => (this.resolveRun = resolve));
    void this.connect();
    return result;
  }

  /** End of the run: an unfinished device becomes TIMEOUT; a finished one stops holding. */
  stop(reason: string): void {
    this.stopped = true;
    if (this.finished) this.releaseHold?.();
    else this.finish('TIMEOUT', `${reason} (was ${this.state})`);
  }

  private async connect(): Promise<void> {
    this.connections++;
    let link: DeviceLink | undefined;
    const opening = this.limiter.run(() => {
      if (this.finished) return Promise.reject(new Error('Device stopped'));
      return LINK_KINDS[this.settings.transport].open({
        url: this.settings.url,
        token: this.token,
        clientId: `sim-${this.index}-${this.connections}-${process.pid}`,
        protocolVersion: this.settings.protocolVersion,
        qos: this.settings.qos,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        handlers: {
          attributes: (news) => {
            if (link && this.connection === link) this.onAttributes(news);
          },
          chunk: (requestId, index, payload) => {
            if (link && this.connection === link && !this.finished)
              this.active?.downloader.accept(requestId, index, payload);
          },
          otaError: (message) => {
            if (link && this.connection === link && !this.finished)
              this.active?.downloader.fail(message);
          },
          closed: (refused) => {
            if (link) this.onConnectionClosed(link, refused);
          },
        },
      });
    });
    this.opening = opening;
    try {
      link = await opening;
    } catch (error) {
      if (this.finished) return;
      if (error instanceof ConnectionRefusedError) this.finish('FAILED', error.message);
      else this.connectionLost(`Could not connect: ${messageOf(error)}`);
      return;
    } finally {
      this.opening = undefined;
    }
    // Set even when stopped meanwhile, so closeDown() ends it.
    this.connection = link;
    if (this.finished) return;
    if (!this.active) this.setState('CONNECTED');
    try {
      await this.greet(link);
    } catch (error) {
      // A closed link is handled by onConnectionClosed; a refused subscription is fatal.
      if (link.isOpen) this.finish('FAILED', messageOf(error));
    }
  }

  /** Part I of the seed. */
  private async greet(link: DeviceLink): Promise<void> {
    const { packageTypes, silent } = this.settings;
    for (const type of packageTypes) {
      const { title, version } = this.installedOf(type);
      link.telemetry(currentTelemetry(type, title, version));
    }
    if (silent) {
      this.finish('CONNECTED');
      return;
    }
    await link.requestSharedAttributes(requestedKeys(packageTypes));
    await link.listenForAttributes();
    if (this.state === 'CONNECTED' && !this.finished) this.setState('WAITING');
  }

  private onAttributes(news: AttributeNews): void {
    if (this.finished) return;
    if (news.kind === 'snapshot') this.onAttributeResponse(news.shared);
    else this.onAttributePush(news);
  }

  /** The response is a snapshot of every key asked for: a key left out is not set. */
  private onAttributeResponse(shared: Record<string, unknown>): void {
    for (const key of requestedKeys(this.settings.packageTypes)) {
      if (key in shared) this.shared.set(key, shared[key]);
      else this.shared.delete(key);
    }
    this.evaluate(this.settings.packageTypes, new Set(), true);
  }

  private onAttributePush(push: { values: Record<string, unknown>; deleted: string[] }): void {
    for (const key of push.deleted) this.shared.delete(key);
    for (const [key, value] of Object.entries(push.values)) this.shared.set(key, value);
    // A push naming the title or version is a (re)assignment: try it even if it failed before.
    const pushed = this.settings.packageTypes.filter((type) => {
      const k = otaKeys(type);
      return k.title in push.values || k.version in push.values;
    });
    this.evaluate(this.settings.packageTypes, new Set(pushed), false);
  }

  /** Decides, per package type, whether to start, resume, restart, queue or leave an update. */
  private evaluate(
    types: readonly OtaPackageType[],
    pushed: ReadonlySet<OtaPackageType>,
    snapshot: boolean,
  ): void {
    for (const type of types) {
      const target = targetFromShared(this.shared, otaKeys(type));
      const active = this.active?.type === type ? this.active : undefined;
      if (!target || this.isInstalled(type, target)) {
        this.pending.delete(type);
        // Only a full snapshot proves the assignment is gone; a partial push may still be coming.
        if (active && snapshot) this.abandon(active);
        continue;
      }
      if (active && sameTarget(active.target, target)) {
        if (active.needsResume) this.beginDownloading(active);
        continue;
      }
      if (active) {
        this.abandon(active);
      } else {
        const last = this.lastTargets.get(type);
        if (last && sameTarget(last, target) && !pushed.has(type)) continue;
        if (this.active) {
          this.pending.add(type);
          continue;
        }
      }
      this.start(type, target);
    }
  }

  private start(type: OtaPackageType, target: OtaTarget): void {
    const algorithm = checksumAlgorithmOf(target);
    if (!algorithm) {
      this.lastTargets.set(type, target);
      this.endUpdate(type, target, 'FAILED', `Unsupported checksum algorithm ${target.algorithm}`);
      return;
    }
    this.otaRequestId++;
    const requestId = String(this.otaRequestId);
    const update: ActiveUpdate = {
      type,
      target,
      needsResume: false,
      downloader: new ChunkDownloader(
        {
          type,
          requestId,
          chunkSize: this.settings.chunkSize,
          expectedSize: target.size,
          algorithm,
          timeoutMs: this.settings.chunkTimeoutMs,
          retries: this.settings.chunkRetries,
        },
        {
          request: (index, size) =>
            this.connection?.requestChunk({
              type,
              title: target.title,
              version: target.version,
              requestId,
              index,
              size,
            }),
          mayRequest: (index) => this.mayRequestChunk(index),
          accepted: (bytes) => {
            this.bytes += bytes;
            this.chunks++;
          },
          finish: (outcome) => this.onDownloadFinished(update, outcome),
        },
      ),
    };
    this.active = update;
    this.beginDownloading(update);
  }

  /** Part II up to the first chunk request; also how a download resumes after a reconnect. */
  private beginDownloading(update: ActiveUpdate): void {
    const connection = this.connection;
    if (!connection) {
      update.needsResume = true;
      return;
    }
    update.needsResume = false;
    this.report(update.type, 'DOWNLOADING');
    connection.prepareDownload(update.type).then(
      () => {
        if (this.active === update && this.connection === connection)
          update.downloader.requestNext();
      },
      (error: unknown) => {
        if (this.active === update && connection.isOpen) update.downloader.fail(messageOf(error));
      },
    );
  }

  private mayRequestChunk(index: number): boolean {
    const connection = this.connection;
    if (!connection) return false;
    if (this.settings.dropAtChunk === index && !this.dropDone) {
      this.dropDone = true;
      this.dropping = true;
      connection.drop();
      return false;
    }
    return true;
  }

  private onDownloadFinished(update: ActiveUpdate, outcome: DownloadOutcome): void {
    if (this.active !== update) return;
    if (!outcome.ok) {
      this.endUpdate(update.type, update.target, 'FAILED', outcome.error);
      return;
    }
    this.report(update.type, 'DOWNLOADED');
    const error = verificationError(update.target, outcome, this.settings.failVerify);
    if (error) {
      this.endUpdate(update.type, update.target, 'FAILED', error);
      return;
    }
    this.report(update.type, 'VERIFIED');
    this.report(update.type, 'UPDATING');
    this.endUpdate(update.type, update.target, 'UPDATED');
  }

  private endUpdate(
    type: OtaPackageType,
    target: OtaTarget,
    state: FinalUpdateState,
    error?: string,
  ): void {
    this.active = undefined;
    this.lastTargets.set(type, target);
    this.outcomes.set(type, { state, error });
    if (state === 'UPDATED') {
      this.install(type, target);
      this.report(type, 'UPDATED');
    } else {
      this.connection?.telemetry(failedTelemetry(type, error ?? 'Unknown error'));
      this.setState('FAILED', type, error);
    }
    const queued = [...this.pending];
    this.pending.clear();
    if (queued.length > 0) this.evaluate(queued, new Set(queued), false);
    if (!this.active) this.finishWithOutcomes();
  }

  private abandon(update: ActiveUpdate): void {
    update.downloader.cancel();
    if (this.active === update) this.active = undefined;
    this.setState('WAITING', update.type);
  }

  private report(type: OtaPackageType, state: DeviceReportedState): void {
    const { title, version } = this.installedOf(type);
    this.connection?.telemetry(currentTelemetry(type, title, version, state));
    this.setState(state, type);
  }

  private onConnectionClosed(link: DeviceLink, refused: string | undefined): void {
    if (this.connection !== link) return;
    this.connection = undefined;
    if (this.finished) return;
    if (refused !== undefined) {
      this.finish('FAILED', refused);
      return;
    }
    if (this.active) {
      this.active.downloader.pause();
      this.active.needsResume = true;
    }
    this.connectionLost('Connection lost');
  }

  private connectionLost(reason: string): void {
    if (this.reconnects >= this.settings.maxReconnects) {
      this.finish('FAILED', `${reason}; gave up after ${this.reconnects} reconnects`);
      return;
    }
    this.reconnects++;
    // An induced drop is a blip: come back at once. Real losses back off a little.
    const delay = this.dropping ? 0 : Math.min(250 * this.reconnects, 2_000);
    this.dropping = false;
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private finishWithOutcomes(): void {
    const failed = [...this.outcomes.values()].find((o) => o.state === 'FAILED');
    if (failed) this.finish('FAILED', failed.error);
    else this.finish('UPDATED');
  }

  private finish(state: SimulatedDeviceState, error?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.finishedAt = performance.now();
    this.active?.downloader.cancel();
    clearTimeout(this.reconnectTimer);
    this.setState(state, undefined, error);
    void this.closeDown();
  }

  private async closeDown(): Promise<void> {
    if (this.settings.holdMs > 0 && !this.stopped) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.holdMs);
        this.releaseHold = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const opened = await this.opening?.catch(() => undefined);
    await (this.connection ?? opened)?.end();
    this.resolveRun(this.result());
  }

  private result(): DeviceResult {
    return {
      token: this.token,
      state: this.state,
      ...(this.error !== undefined && { error: this.error }),
      bytes: this.bytes,
      chunks: this.chunks,
      durationMs: Math.round(this.finishedAt - this.startedAt),
      reconnects: this.reconnects,
      currentFwVersion: this.installed.fwVersion,
      currentSwVersion: this.installed.swVersion,
      ...(this.outcomes.has('FIRMWARE') && { fwState: this.outcomes.get('FIRMWARE')?.state }),
      ...(this.outcomes.has('SOFTWARE') && { swState: this.outcomes.get('SOFTWARE')?.state }),
    };
  }

  private setState(
    state: SimulatedDeviceState,
    packageType?: OtaPackageType,
    error?: string,
  ): void {
    const previous = this.state;
    if (previous === state && (error === undefined || error === this.error)) return;
    this.state = state;
    if (error !== undefined) this.error = error;
    try {
      this.onState?.({
        token: this.token,
        index: this.index,
        state,
        previous,
        ...(packageType && { packageType }),
        ...(error !== undefined && { error }),
        bytes: this.bytes,
      });
    } catch {
      // A faulty progress listener must not break the device.
    }
  }

  private installedOf(type: OtaPackageType): { title: string; version: string } {
    return type === 'FIRMWARE'
      ? { title: this.installed.fwTitle, version: this.installed.fwVersion }
      : { title: this.installed.swTitle, version: this.installed.swVersion };
  }

  private isInstalled(type: OtaPackageType, target: OtaTarget): boolean {
    const current = this.installedOf(type);
    return current.title === target.title && current.version === target.version;
  }

  private install(type: OtaPackageType, target: OtaTarget): void {
    if (type === 'FIRMWARE') {
      this.installed.fwTitle = target.title;
      this.installed.fwVersion = target.version;
    } else {
      this.installed.swTitle = target.title;
      this.installed.swVersion = target.version;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
