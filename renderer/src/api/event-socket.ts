import type { StationEvent } from '../../../shared/api/events';
import type { ConnectionState } from './transport';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

/**
 * The station's pushed events over WebSocket, reconnecting for as long as the page lives.
 * A drop is normal (laptop asleep, station restarted): listeners see 'reconnecting', and on the
 * next 'open' the store reloads everything, since events sent meanwhile are lost.
 */
export class EventSocket {
  private socket: WebSocket | null = null;
  private state: ConnectionState = 'connecting';
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly eventListeners = new Set<(event: StationEvent) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  /** `isRefused` asks, after a failed attempt, whether the station is up but refuses our secret. */
  constructor(
    private readonly url: string,
    private readonly isRefused: () => Promise<boolean> = () => Promise.resolve(false),
  ) {
    this.connect();
  }

  subscribe(listener: (event: StationEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'page closed');
  }

  private connect(): void {
    if (this.closed) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.retryMs = FIRST_RETRY_MS;
      this.setState('open');
    };
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let event: StationEvent;
      try {
        event = JSON.parse(message.data) as StationEvent;
      } catch {
        return; // a garbled frame is dropped; the next reload repairs any gap
      }
      for (const listener of this.eventListeners) listener(event);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      if (this.state !== 'refused') this.setState('reconnecting');
      this.scheduleRetry();
      // A browser doesn't tell why an upgrade failed: a refused secret is asked for separately.
      if (!opened)
        void this.isRefused().then(
          (refused) => {
            if (this.socket === null && !this.closed)
              this.setState(refused ? 'refused' : 'reconnecting');
          },
          () => undefined,
        );
    };
    // 'error' is always followed by 'close', which does the work.
    socket.onerror = () => undefined;
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    // Jitter keeps several open windows from hammering a restarting station in step.
    const delay = this.retryMs * (0.75 + Math.random() * 0.5);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
