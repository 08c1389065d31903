import type { ProtocolErrorEntry } from '../../../shared/api/entities';
import type { StationEvents } from '../station-events';

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

  recent(limit: number): ProtocolErrorEntry[] {
    return this.entries.slice(-limit).reverse();
  }
}
