import { escapeControlChars } from '../../../shared/text/control-chars';
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

  /** Client ids and messages come from the network: kept with control characters escaped. */
  record(entry: Omit<ProtocolErrorEntry, 'id' | 'at'> & { at?: number }): void {
    const full: ProtocolErrorEntry = {
      ...entry,
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
}
