import { chunkResponseTopic, FIRMWARE_ERROR_TOPIC } from '../../../shared/protocol/topics';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import {
  CorruptBinaryError,
  type ChunkSources,
  type ServableBinary,
} from '../packages/chunk-source';
import type { PackageStore } from '../packages/package-store';
import type { DeviceRepository } from '../repositories/devices';
import type { PackageRepository } from '../repositories/packages';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { OtaService } from '../ota/ota-service';
import { parseChunkSize } from './chunk-size';
import type { ProtocolErrorLog } from './protocol-error-log';
import type { DeviceSession } from './session-registry';

/** What a requestId resolved to on first use; it stays pinned for the connection's lifetime. */
interface Binding {
  type: OtaPackageType;
  packageId: string;
  executionId: string | undefined;
  lastChunkSize: number | undefined;
  /** Set once the binary is open; until then requests wait on `ready` in arrival order. */
  binary: ServableBinary | undefined;
  ready: Promise<ServableBinary | Refusal>;
}

/** Why a binding could not open its binary; every request that waited on it gets this answer. */
interface Refusal {
  code: ChunkError;
  kind: string;
  message: string;
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
 * Firmware/software chunk download (docs/device-protocol.md#chunk-requests). Stateless per chunk: any
 * index, any order, again. The response goes to the requesting session only.
 */
export class ChunkServer {
  private readonly bindings = new WeakMap<DeviceSession, Map<string, Binding>>();

  constructor(
    private readonly deps: {
      devices: DeviceRepository;
      packages: PackageRepository;
      store: PackageStore;
      sources: ChunkSources;
      ota: OtaService;
      notifier: ChangeNotifier;
      errors: ProtocolErrorLog;
      maxChunkBytes: number;
    },
  ) {}

  handle(session: DeviceSession, request: ChunkRequest, payload: Buffer): void {
    const size = parseChunkSize(payload);
    if (size.kind === 'invalid') {
      this.fail(
        session,
        'FAILURE',
        'bad-chunk-size',
        `Chunk request ${request.requestId}/${request.chunk}: ${size.reason}`,
      );
      return;
    }
    if (size.kind === 'size' && size.bytes > this.deps.maxChunkBytes) {
      this.fail(
        session,
        'PAYLOAD_TOO_LARGE',
        'chunk-too-large',
        `Chunk size ${size.bytes} is over the station's limit of ${this.deps.maxChunkBytes} bytes`,
      );
      return;
    }
    const binding = this.bind(session, request);
    if (!binding) return;
    if (size.kind === 'size') binding.lastChunkSize = size.bytes;
    const chunkSize = size.kind === 'size' ? size.bytes : binding.lastChunkSize;
    if (binding.binary) {
      // Hot path: the binary is open, serve synchronously (the session sends it after the PUBACK).
      this.serve(session, binding, request, chunkSize, binding.binary);
      return;
    }
    void binding.ready.then((result) => {
      if ('code' in result) this.fail(session, result.code, result.kind, result.message);
      else this.serve(session, binding, request, chunkSize, result);
    });
  }

  private bind(session: DeviceSession, request: ChunkRequest): Binding | undefined {
    let perSession = this.bindings.get(session);
    if (!perSession) {
      perSession = new Map();
      this.bindings.set(session, perSession);
    }
    const key = `${request.type}:${request.requestId}`;
    const existing = perSession.get(key);
    if (existing) {
      // Map order is use order: the first entry is the least recently used.
      perSession.delete(key);
      perSession.set(key, existing);
      return existing;
    }
    const device = session.principal;
    const packageId = this.deps.devices.assignedPackageId(device.id, request.type);
    const pkg = packageId ? this.deps.packages.find(packageId) : undefined;
    if (!pkg) {
      this.fail(
        session,
        'NOT_FOUND',
        'nothing-assigned',
        `No ${request.type.toLowerCase()} is assigned to ${device.name}`,
      );
      return undefined;
    }
    if (pkg.status === 'CORRUPT') {
      this.fail(
        session,
        'FAILURE',
        'corrupt-package',
        `${pkg.title} ${pkg.version} is corrupt in the cache and is not served`,
      );
      return undefined;
    }
    const binding: Binding = {
      type: request.type,
      packageId: pkg.id,
      executionId: this.deps.ota.activeExecutionFor(device.id, request.type, pkg.id),
      lastChunkSize: undefined,
      binary: undefined,
      ready: this.deps.sources.open(pkg.sha256, pkg.size).then(
        (binary) => (binding.binary = binary),
        (error: unknown): Refusal => {
          if (perSession.get(key) === binding) perSession.delete(key);
          if (error instanceof CorruptBinaryError) {
            this.deps.store.markCorrupt(pkg.id, error.message);
            return {
              code: 'FAILURE',
              kind: 'corrupt-package',
              message: `${pkg.title} ${pkg.version}: ${error.message}; not served`,
            };
          }
          return {
            code: 'FAILURE',
            kind: 'read-error',
            message: `Could not read ${pkg.title} ${pkg.version}: ${String(error)}`,
          };
        },
      ),
    };
    perSession.set(key, binding);
    if (perSession.size > MAX_BINDINGS_PER_SESSION) {
      const oldest = perSession.keys().next();
      if (!oldest.done) perSession.delete(oldest.value);
    }
    return binding;
  }

  private serve(
    session: DeviceSession,
    binding: Binding,
    request: ChunkRequest,
    chunkSize: number | undefined,
    binary: ServableBinary,
  ): void {
    // No size ever given for this requestId: the whole file in one message, as ThingsBoard
    // answers (its size check passes an empty size). It is streamed from the verified binary,
    // so its size costs no memory; only MQTT's own limits refuse it (publish returns false).
    const length = chunkSize ?? binary.size;
    const offset = length * request.chunk;
    const bytes = offset >= binary.size ? 0 : Math.min(length, binary.size - offset);
    const topic = chunkResponseTopic(request.type, request.requestId, request.chunk);
    const queued = session.publish(topic, {
      length: bytes,
      // Read when the response reaches the head of the session's queue, never before: a
      // device asking faster than it reads is cut off by the queue cap before the reads.
      read: (from, count) => binary.read(offset + from, count),
      failed: (error) =>
        this.fail(
          session,
          'FAILURE',
          'read-error',
          `Could not read chunk ${request.chunk}: ${String(error)}`,
        ),
      // Counted as served once handed to the socket: a streamed whole file shows its progress.
      progress: (written) => {
        if (binding.executionId && written > 0)
          this.deps.notifier.bytesServed(binding.executionId, offset + written);
      },
    });
    // Over the client's MQTT 5 Maximum Packet Size or MQTT's limit (the session recorded it):
    // tell the device rather than let it wait for a chunk that will never come. A session cut
    // off for its backlog is closed and hears nothing.
    if (!queued && session.isOpen) session.publish(FIRMWARE_ERROR_TOPIC, 'PAYLOAD_TOO_LARGE');
  }

  private fail(session: DeviceSession, code: ChunkError, kind: string, message: string): void {
    session.publish(FIRMWARE_ERROR_TOPIC, code);
    this.deps.errors.recordForSession(session, kind, message);
  }
}
