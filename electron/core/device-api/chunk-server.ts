import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { chunkResponseTopic, FIRMWARE_ERROR_TOPIC } from '../../../shared/protocol/topics';
import type { DeviceResult } from './device-result';
import type { DeviceService } from './device-service';
import type { MqttDeviceConnection } from './mqtt-device-connection';
import type { Download } from './package-download';

/** What a requestId resolved to on first use; it stays pinned for the connection's lifetime. */
interface Binding {
  lastChunkSize: number | undefined;
  /** Set once the binary is open; until then requests wait on `ready` in arrival order. */
  download: Download | undefined;
  ready: Promise<DeviceResult<Download>>;
}

export interface ChunkRequest {
  type: OtaPackageType;
  requestId: string;
  chunk: number;
}

export type ChunkError = 'NOT_FOUND' | 'FAILURE' | 'PAYLOAD_TOO_LARGE';

/**
 * Request ids a connection keeps bound. A device uses one per download; past this many the
 * least recently used is forgotten (asked again, it binds to what is assigned then), so a
 * device inventing an id per request cannot grow the table.
 */
export const MAX_BINDINGS_PER_SESSION = 64;

/**
 * Firmware/software chunk download over MQTT (docs/device-protocol.md#chunk-requests):
 * request ids bound to the downloads the DeviceService opens, and the answers published.
 * Stateless per chunk: any index, any order, again. The response goes to the requesting
 * session only.
 */
export class ChunkServer {
  private readonly bindings = new WeakMap<MqttDeviceConnection, Map<string, Binding>>();

  constructor(private readonly service: DeviceService) {}

  handle(connection: MqttDeviceConnection, request: ChunkRequest, payload: Buffer): void {
    const { caller } = connection;
    const label = `Chunk request ${request.requestId}/${request.chunk}`;
    const size = this.service.chunkSize(caller, payload, label);
    if (!size.ok) {
      this.answer(connection, size.refusal === 'too-large' ? 'PAYLOAD_TOO_LARGE' : 'FAILURE');
      return;
    }
    const binding = this.bind(connection, request);
    if (size.value !== undefined) binding.lastChunkSize = size.value;
    const chunkSize = size.value ?? binding.lastChunkSize;
    if (binding.download) {
      // Hot path: the binary is open, serve synchronously (the session sends it after the PUBACK).
      this.serve(connection, request, chunkSize, binding.download);
      return;
    }
    void binding.ready.then((result) => {
      if (result.ok) this.serve(connection, request, chunkSize, result.value);
      else this.answer(connection, result.refusal === 'not-found' ? 'NOT_FOUND' : 'FAILURE');
    });
  }

  private bind(connection: MqttDeviceConnection, request: ChunkRequest): Binding {
    let perSession = this.bindings.get(connection);
    if (!perSession) {
      perSession = new Map();
      this.bindings.set(connection, perSession);
    }
    const key = `${request.type}:${request.requestId}`;
    const existing = perSession.get(key);
    if (existing) {
      // Map order is use order: the first entry is the least recently used.
      perSession.delete(key);
      perSession.set(key, existing);
      return existing;
    }
    const binding: Binding = {
      lastChunkSize: undefined,
      download: undefined,
      ready: this.service.openDownload(connection.caller, request.type).then((result) => {
        // A refused id is not pinned: asked again, it binds to what is assigned then.
        if (result.ok) binding.download = result.value;
        else if (perSession.get(key) === binding) perSession.delete(key);
        return result;
      }),
    };
    perSession.set(key, binding);
    if (perSession.size > MAX_BINDINGS_PER_SESSION) {
      const oldest = perSession.keys().next();
      if (!oldest.done) perSession.delete(oldest.value);
    }
    return binding;
  }

  private serve(
    connection: MqttDeviceConnection,
    request: ChunkRequest,
    chunkSize: number | undefined,
    download: Download,
  ): void {
    // No size ever given for this requestId: the whole file in one message, as ThingsBoard
    // answers (its size check passes an empty size). It is streamed from the verified binary,
    // so its size costs no memory; only MQTT's own limits refuse it (publish returns false).
    const length = chunkSize ?? download.size;
    const offset = length * request.chunk;
    const bytes = offset >= download.size ? 0 : Math.min(length, download.size - offset);
    const topic = chunkResponseTopic(request.type, request.requestId, request.chunk);
    const { session } = connection;
    const queued = session.publish(topic, {
      length: bytes,
      // Read when the response reaches the head of the session's queue, never before: a
      // device asking faster than it reads is cut off by the queue cap before the reads.
      read: (from, count) => download.read(offset + from, count),
      failed: (error) => {
        this.answer(connection, 'FAILURE');
        this.service.refuse(
          connection.caller,
          'unavailable',
          'read-error',
          `Could not read chunk ${request.chunk}: ${String(error)}`,
        );
      },
      // Counted as served once handed to the socket: a streamed whole file shows its progress.
      progress: (written) => {
        if (written > 0) download.served(offset + written);
      },
    });
    // Over the client's MQTT 5 Maximum Packet Size or MQTT's limit (the session recorded it):
    // tell the device rather than let it wait for a chunk that will never come. A session cut
    // off for its backlog is closed and hears nothing.
    if (!queued && session.isOpen) this.answer(connection, 'PAYLOAD_TOO_LARGE');
  }

  /** Chunk errors go to the firmware error topic as plain text (software ones too, as in TB). */
  private answer(connection: MqttDeviceConnection, code: ChunkError): void {
    connection.session.publish(FIRMWARE_ERROR_TOPIC, code);
  }
}
