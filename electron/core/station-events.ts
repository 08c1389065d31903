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
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /**
   * For core modules that react to what others emit (the sync status): they see the events
   * built for a UI but do not count as one, so without a UI nothing is built for them either.
   */
  observe(listener: (event: StationEvent) => void): () => void {
    this.emitter.on('observed', listener);
    return () => this.emitter.off('observed', listener);
  }
}
