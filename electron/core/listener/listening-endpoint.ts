import type { BoundAddress, Listening, MovableListener } from './movable-listener';

/**
 * A device-facing endpoint (MQTT, HTTP, CoAP) as the station starts it and the site network
 * switch moves it: all three listen through a MovableListener.
 */
export abstract class ListeningEndpoint {
  protected abstract readonly listener: MovableListener<Listening>;

  /** Starts listening on the configured host only. Resolves with the bound address. */
  listen(): Promise<BoundAddress> {
    return this.listener.listen();
  }

  /** Where the endpoint accepts now; undefined while it does not. */
  address(): BoundAddress | undefined {
    return this.listener.address();
  }

  /** Moves the listener to another host on the same port, keeping what is connected. */
  rebind(host: string): Promise<BoundAddress> {
    return this.listener.rebind(host);
  }
}
