import type { ProtocolErrorEntry } from '../../../shared/api/entities';
import { escapeControlChars } from '../../../shared/text/control-chars';
import type { DeviceIdentity } from '../repositories/devices';
import type { StationEvents } from '../station-events';

/** The device an entry is about, and where it called from (a connection or a request). */
export interface ErrorSource {
  readonly device: DeviceIdentity;
  readonly clientId: string | null;
  readonly remoteAddress: string;
}

type NewEntry = Omit<ProtocolErrorEntry, 'id' | 'at' | 'severity'> &
  Partial<Pick<ProtocolErrorEntry, 'at' | 'severity'>>;

/** Notes already made, per device: past this many the set starts again (a note may repeat). */
const MAX_NOTED = 10_000;

/**
 * The recent protocol errors the Station page shows: a bounded ring, newest last. Notes
 * (severity 'info') about things a healthy device does are kept once per device and kind.
 */
export class ProtocolErrorLog {
  private readonly entries: ProtocolErrorEntry[] = [];
  private readonly noted = new Set<string>();
  private nextId = 1;

  constructor(
    private readonly events: StationEvents,
    private readonly capacity = 500,
  ) {}

  /** Client ids and messages come from the network: kept with control characters escaped. */
  record(entry: NewEntry): void {
    const full: ProtocolErrorEntry = {
      ...entry,
      severity: entry.severity ?? 'error',
      message: escapeControlChars(entry.message),
      deviceName: entry.deviceName === null ? null : escapeControlChars(entry.deviceName),
      clientId: entry.clientId === null ? null : escapeControlChars(entry.clientId),
      id: this.nextId++,
      at: entry.at ?? Date.now(),
    };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.shift();
    this.events.emit('protocol.error', full);
  }

  /** An error a known device made: the entry names the device and its connection. */
  recordFor(source: ErrorSource, kind: string, message: string): void {
    this.record(sourceEntry(source, kind, message));
  }

  /** Information about a device, recorded the first time only (per device and kind). */
  noteOnceFor(source: ErrorSource, kind: string, message: string): void {
    const key = `${source.device.id}\u0000${kind}`;
    if (this.noted.has(key)) return;
    if (this.noted.size >= MAX_NOTED) this.noted.clear();
    this.noted.add(key);
    this.record({ ...sourceEntry(source, kind, message), severity: 'info' });
  }

  recent(limit: number): ProtocolErrorEntry[] {
    return this.entries.slice(-limit).reverse();
  }

  /** The recent errors of one device's connections, newest first. */
  forDevice(deviceId: string, limit: number): ProtocolErrorEntry[] {
    const found: ProtocolErrorEntry[] = [];
    for (let i = this.entries.length - 1; i >= 0 && found.length < limit; i--) {
      const entry = this.entries[i];
      if (entry?.deviceId === deviceId) found.push(entry);
    }
    return found;
  }
}

function sourceEntry(source: ErrorSource, kind: string, message: string): NewEntry {
  return {
    kind,
    message,
    deviceId: source.device.id,
    deviceName: source.device.name,
    clientId: source.clientId,
    remoteAddress: source.remoteAddress,
  };
}
