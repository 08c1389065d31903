import type { DeviceTransport } from '../../../shared/api/entities';
import { guarded } from '../guarded';
import type { DeviceRepository, OnlineCheck } from '../repositories/devices';
import type { ExecutionRepository } from '../repositories/executions';
import type { StationEvents } from '../station-events';
import type { Db } from '../storage/database';

/**
 * Batches what changed (byte progress, states) and pushes it every `intervalMs`: at 1000 devices
 * downloading, a write and an event per chunk would swamp both SQLite and the UI.
 */
export class ChangeNotifier {
  private readonly bytes = new Map<string, number>();
  private readonly executions = new Set<string>();
  private readonly devices = new Set<string>();
  /** Last connect/disconnect per device, written with the next flush. */
  private readonly seen = new Map<string, number>();
  /** Transports to write with the next flush, and the last one known per device. */
  private readonly transports = new Map<string, DeviceTransport>();
  private readonly knownTransports = new Map<string, DeviceTransport>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly executionRepo: ExecutionRepository,
    private readonly deviceRepo: DeviceRepository,
    private readonly isOnline: OnlineCheck,
    private readonly events: StationEvents,
    private readonly intervalMs = 250,
  ) {}

  /** Highest byte offset served for an execution; kept in memory until the next flush. */
  bytesServed(executionId: string, end: number): void {
    if (end > (this.bytes.get(executionId) ?? 0)) this.bytes.set(executionId, end);
    this.executions.add(executionId);
    this.schedule();
  }

  /** Writes an execution's unwritten progress now (its attempt is about to end). */
  writeBytes(executionId: string): void {
    const end = this.bytes.get(executionId);
    if (end === undefined) return;
    this.bytes.delete(executionId);
    this.executionRepo.recordBytes(executionId, end, Date.now());
  }

  /** Drops unwritten progress of an execution (its attempt ended and the count restarts). */
  forgetBytes(executionId: string): void {
    this.bytes.delete(executionId);
  }

  executionChanged(executionId: string): void {
    this.executions.add(executionId);
    this.schedule();
  }

  /**
   * A device connected or disconnected at `at`: written with the next flush rather than one
   * commit per connection, which was most of the cost of a storm of devices connecting.
   */
  deviceSeen(deviceId: string, at: number): void {
    this.seen.set(deviceId, at);
    this.deviceChanged(deviceId);
  }

  /**
   * The device called over `transport`. Called on every call, so it costs a map lookup; only a
   * change is written (with the next flush), so a download writes it once, not once per chunk.
   */
  deviceTransport(deviceId: string, transport: DeviceTransport): void {
    if (this.knownTransports.get(deviceId) === transport) return;
    this.knownTransports.set(deviceId, transport);
    this.transports.set(deviceId, transport);
    this.deviceChanged(deviceId);
  }

  deviceChanged(deviceId: string): void {
    this.devices.add(deviceId);
    this.schedule();
  }

  /** Writes pending progress now and pushes what changed. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    if (this.bytes.size > 0 || this.seen.size > 0 || this.transports.size > 0) {
      const pending = [...this.bytes];
      const seen = [...this.seen];
      const transports = [...this.transports];
      this.bytes.clear();
      this.seen.clear();
      this.transports.clear();
      this.db.transaction(() => {
        for (const [id, end] of pending) this.executionRepo.recordBytes(id, end, now);
        for (const [id, at] of seen) this.deviceRepo.touchLastSeen(id, at);
        for (const [id, transport] of transports) this.deviceRepo.setLastTransport(id, transport);
      })();
    }
    const executionIds = [...this.executions];
    const deviceIds = [...this.devices];
    this.executions.clear();
    this.devices.clear();
    // With no UI attached (a headless gateway, a benchmark) the payloads would be built for no one.
    if (!this.events.hasListeners) return;
    if (executionIds.length > 0)
      this.events.emit('executions.changed', this.executionRepo.getMany(executionIds));
    for (const id of deviceIds) {
      const device = this.deviceRepo.find(id, this.isOnline);
      if (device) this.events.emit('device.changed', device);
    }
  }

  /** Writes what is pending; after this nothing is scheduled (the database is about to close). */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer ??= setTimeout(
      guarded('pushing device and execution changes', () => this.flush()),
      this.intervalMs,
    );
  }
}
