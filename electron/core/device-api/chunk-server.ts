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
    const existing = perSession.get(`${request.type}:${request.requestId}`);
    if (existing) return existing;
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
          perSession.delete(`${request.type}:${request.requestId}`);
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
    perSession.set(`${request.type}:${request.requestId}`, binding);
    return binding;
  }

  private serve(
    session: DeviceSession,
    binding: Binding,
    request: ChunkRequest,
    chunkSize: number | undefined,
    binary: ServableBinary,
  ): void {
    if (chunkSize === undefined && binary.size > this.deps.maxChunkBytes) {
      // The whole file in one message is a chunk too: over the cap it would overflow the
      // session's queue (or the heap, for a multi-GiB image) instead of reaching the device.
      this.fail(
        session,
        'PAYLOAD_TOO_LARGE',
        'chunk-too-large',
        `Chunk request ${request.requestId}/${request.chunk} gave no size: the whole file of ${binary.size} bytes is over the station's limit of ${this.deps.maxChunkBytes} bytes`,
      );
      return;
    }
    // No size ever given for this requestId: the whole file in one message.
    const length = chunkSize ?? binary.size;
    const offset = length * request.chunk;
    const topic = chunkResponseTopic(request.type, request.requestId, request.chunk);
    const data = offset >= binary.size ? Buffer.alloc(0) : binary.read(offset, length);
    if (data instanceof Promise) {
      data.then(
        (bytes) => this.send(session, binding, topic, offset, bytes),
        (error: unknown) =>
          this.fail(
            session,
            'FAILURE',
            'read-error',
            `Could not read chunk ${request.chunk}: ${String(error)}`,
          ),
      );
    } else {
      this.send(session, binding, topic, offset, data);
    }
  }

  private send(
    session: DeviceSession,
    binding: Binding,
    topic: string,
    offset: number,
    bytes: Buffer,
  ): void {
    if (!session.publish(topic, bytes)) {
      // Over the client's MQTT 5 Maximum Packet Size (the session recorded it): tell the device
      // rather than let it wait for a chunk that will never come.
      if (session.isOpen) session.publish(FIRMWARE_ERROR_TOPIC, 'PAYLOAD_TOO_LARGE');
      return;
    }
    if (binding.executionId && bytes.length > 0)
      this.deps.notifier.bytesServed(binding.executionId, offset + bytes.length);
  }

  private fail(session: DeviceSession, code: ChunkError, kind: string, message: string): void {
    session.publish(FIRMWARE_ERROR_TOPIC, code);
    this.deps.errors.recordForSession(session, kind, message);
  }
}
