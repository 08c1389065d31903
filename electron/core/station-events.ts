import { EventEmitter } from 'node:events';
import type { EventName, EventPayload, StationEvent } from '../../shared/api/events';

/** The station's push channel: core modules emit, transports (WebSocket, IPC) forward. */
export class StationEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open UI window / WebSocket adds one listener; that is not a leak.
    this.emitter.setMaxListeners(0);
  }

  emit<N extends EventName>(type: N, payload: EventPayload<N>): void {
    this.emitter.emit('event', { type, payload } as StationEvent);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: (event: StationEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
