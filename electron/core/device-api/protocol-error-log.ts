import type { ProtocolErrorEntry } from '../../../shared/api/entities';
import type { StationEvents } from '../station-events';
import type { DeviceSession } from './session-registry';

/** The recent protocol errors the Station page shows: a bounded ring, newest last. */
export class ProtocolErrorLog {
  private readonly entries: ProtocolErrorEntry[] = [];
  private nextId = 1;

  constructor(
    private readonly events: StationEvents,
    private readonly capacity = 500,
  ) {}

  record(entry: Omit<ProtocolErrorEntry, 'id' | 'at'> & { at?: number }): void {
    const full: ProtocolErrorEntry = { ...entry, id: this.nextId++, at: entry.at ?? Date.now() };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.shift();
    this.events.emit('protocol.error', full);
  }

  /** An error a connected device made: the entry names the device and its connection. */
  recordForSession(session: DeviceSession, kind: string, message: string): void {
    this.record({
      kind,
      message,
      deviceId: session.principal.id,
      deviceName: session.principal.name,
      clientId: session.clientId,
      remoteAddress: session.remoteAddress,
    });
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
