import { EventEmitter } from 'node:events';

import type { EventName, EventPayload, StationEvent } from '../../shared/api/events';
import { guarded } from './guarded';

/** The station's push channel: core modules emit, transports (WebSocket, IPC) forward. */
export class StationEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open UI window / WebSocket adds one listener; that is not a leak.
    this.emitter.setMaxListeners(0);
  }

  emit<N extends EventName>(type: N, payload: EventPayload<N>): void {
    const event = { type, payload } as StationEvent;
    this.emitter.emit('event', event);
    this.emitter.emit('observed', event);
  }

  /** Whether anyone (a UI, a WebSocket) listens: building event payloads costs queries. */
  get hasListeners(): boolean {
    return this.emitter.listenerCount('event') > 0;
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: StationEvent) => void): () => void {
    // One failing listener (a UI transport) must neither stop the others nor throw into the
    // code that emitted: a device's connect or a job tick.
    const safe = guarded('an event listener', listener);
    this.emitter.on('event', safe);
    return () => this.emitter.off('event', safe);
  }

  /**
   * For core modules that react to what others emit (the sync status): they see the events
   * built for a UI but do not count as one, so without a UI nothing is built for them either.
   */
  observe(listener: (event: StationEvent) => void): () => void {
    const safe = guarded('an event observer', listener);
    this.emitter.on('observed', safe);
    return () => this.emitter.off('observed', safe);
  }
}
