/**
 * The device-facing listeners (MQTT, HTTP...) that the "Serve the site network" switch moves
 * together: all on the new host, or, when one cannot go, all back where they were.
 */
import type { BoundAddress } from './movable-listener';

export interface Movable {
  /** Moves the listener; concurrent calls run one at a time, in call order. */
  rebind(host: string): Promise<BoundAddress>;
  address(): BoundAddress | undefined;
}

export class ListenerGroup {
  constructor(private readonly listeners: readonly Movable[]) {}

  /** Resolves with the first listener's address; rejects with the first failure. */
  async rebind(host: string): Promise<BoundAddress> {
    const moved: { listener: Movable; from: string }[] = [];
    let first: BoundAddress | undefined;
    for (const listener of this.listeners) {
      const from = listener.address()?.host;
      try {
        const address = await listener.rebind(host);
        first ??= address;
        if (from !== undefined) moved.push({ listener, from });
      } catch (error) {
        // Half the device API on the site network and half off it would be worse than none.
        for (const done of moved.reverse())
          await done.listener.rebind(done.from).catch(() => undefined);
        throw error;
      }
    }
    if (!first) throw new Error('No listener to move');
    return first;
  }
}
