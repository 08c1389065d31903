/**
 * What the links without a connection share (HTTP, CoAP): every message is a request of its
 * own, telemetry goes one request after the other, each chunk is a GET naming the package,
 * and "losing the connection" ends the link (the device then opens another).
 */
import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import type { ChunkRequest, DeviceLink, LinkSettings } from './device-link';

const GRACEFUL_END_MS = 5_000;

/** A transport's answer: its code as text (an HTTP status, a CoAP code) and the body. */
export interface LinkAnswer {
  code: string;
  body: Buffer;
}

/** How a transport answers a chunk request: the code of a chunk, and its refusals' codes. */
export interface ChunkCodes {
  /** Names the transport in a refusal it has no word for, e.g. "HTTP 500". */
  transport: string;
  ok: string;
  /** Refusals in the words of ThingsBoard's MQTT error topic. */
  errors: Readonly<Record<string, string>>;
}

export abstract class RequestLink implements DeviceLink {
  protected open = true;
  /** Telemetry one message after the other: a device's states must not overtake each other. */
  private telemetryQueue: Promise<void> = Promise.resolve();

  protected constructor(
    protected readonly settings: LinkSettings,
    private readonly chunkCodes: ChunkCodes,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  telemetry(json: string): void {
    this.telemetryQueue = this.telemetryQueue.then(async () => {
      if (!this.open) return;
      await this.postTelemetry(json).catch(() => undefined);
    });
  }

  prepareDownload(_type: OtaPackageType): Promise<void> {
    return Promise.resolve();
  }

  requestChunk(request: ChunkRequest): void {
    const query = {
      title: request.title,
      version: request.version,
      size: String(request.size),
      chunk: String(request.index),
    };
    const { handlers } = this.settings;
    const { ok, errors, transport } = this.chunkCodes;
    this.getChunk(request.type, query).then(
      (answer) => {
        if (!this.open) return;
        if (answer.code === ok) handlers.chunk(request.requestId, request.index, answer.body);
        else handlers.otaError(errors[answer.code] ?? `${transport} ${answer.code}`);
      },
      () => undefined, // the link is lost: closed() has told the device
    );
  }

  drop(): void {
    this.close(undefined);
  }

  /** Once the telemetry sent is answered (bounded in time), the transport's goodbye. */
  async end(): Promise<void> {
    if (!this.open) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.telemetryQueue,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, GRACEFUL_END_MS))),
    ]);
    clearTimeout(timer);
    await this.sayGoodbye();
    this.open = false;
    this.shutDown();
  }

  /** Lost (refused: undefined) or refused: the device hears it once. */
  protected close(refused: string | undefined): void {
    if (!this.open) return;
    this.open = false;
    this.shutDown();
    this.settings.handlers.closed(refused);
  }

  /** Anything to tell the station before an orderly end. */
  protected sayGoodbye(): Promise<void> {
    return Promise.resolve();
  }

  abstract requestSharedAttributes(keys: readonly string[]): Promise<void>;
  abstract listenForAttributes(): Promise<void>;
  protected abstract postTelemetry(json: string): Promise<unknown>;
  /** GET of the package's resource; rejects when the link is lost. */
  protected abstract getChunk(
    type: OtaPackageType,
    query: Record<string, string>,
  ): Promise<LinkAnswer>;
  /** Lets go of sockets and requests in flight. */
  protected abstract shutDown(): void;
}
