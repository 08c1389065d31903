/**
 * What a simulated device says and hears, whatever the transport it uses: the seed's sequence
 * (telemetry, an attribute request, attribute pushes, chunk requests) in transport-neutral
 * terms. Each transport is one implementation, registered in link-factory.ts.
 */
import type { OtaPackageType } from '../../shared/protocol/ota-keys';

/** An answer about shared attributes: a snapshot (the answer to a request) or a pushed change. */
export type AttributeNews =
  | { kind: 'snapshot'; shared: Record<string, unknown> }
  | { kind: 'push'; values: Record<string, unknown>; deleted: string[] };

export interface ChunkRequest {
  type: OtaPackageType;
  /** The package asked for (the HTTP and CoAP APIs name it; MQTT binds it by request id). */
  title: string;
  version: string;
  requestId: string;
  index: number;
  size: number;
}

export interface LinkHandlers {
  attributes(news: AttributeNews): void;
  /** A chunk's bytes; an empty payload past the end. */
  chunk(requestId: string, index: number, payload: Buffer): void;
  /** The server refused a chunk request (NOT_FOUND, FAILURE...): the download fails. */
  otaError(message: string): void;
  /**
   * The link is gone: lost (reconnect and resume) or refused (a wrong token: give up, since
   * retrying cannot help).
   */
  closed(refused: string | undefined): void;
}

export interface DeviceLink {
  readonly isOpen: boolean;
  /** Fire and forget, in order with every other telemetry message of this link. */
  telemetry(json: string): void;
  /** The answer comes as a snapshot through `handlers.attributes`. */
  requestSharedAttributes(keys: readonly string[]): Promise<void>;
  /** From now on pushed changes come through `handlers.attributes`. */
  listenForAttributes(): Promise<void>;
  /** Anything a download of this type needs first (MQTT subscribes to the responses). */
  prepareDownload(type: OtaPackageType): Promise<void>;
  /** The answer comes through `handlers.chunk` or `handlers.otaError`. */
  requestChunk(request: ChunkRequest): void;
  /** Abrupt loss, as when a device loses its network: `closed` follows. */
  drop(): void;
  /** Orderly end once what was sent is acknowledged, bounded in time. */
  end(): Promise<void>;
}

export interface LinkSettings {
  url: string;
  token: string;
  clientId: string;
  protocolVersion: 4 | 5;
  qos: 0 | 1;
  connectTimeoutMs: number;
  handlers: LinkHandlers;
}

/** Opening failed in a way that retrying cannot fix (CONNACK refused, 401). */
export class ConnectionRefusedError extends Error {}
