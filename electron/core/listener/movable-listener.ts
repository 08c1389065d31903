/**
 * A listening socket that the "Serve the site network" switch can move to another host on the
 * same port while its connections carry on (closing a server only stops it accepting). Every
 * device-facing endpoint (MQTT, HTTP, CoAP) listens through one.
 */
import type net from 'node:net';

import type { DeviceTransport } from '../../../shared/api/entities';

/** Tries at re-opening the previous address after a failed rebind, REOPEN_DELAY_MS apart. */
const REOPEN_ATTEMPTS = 5;
const REOPEN_DELAY_MS = 200;

export interface BoundAddress {
  host: string;
  port: number;
}

/**
 * A rebind that could not bind the new host. `restoreError` undefined: the previous listener is
 * open again; otherwise the endpoint accepts nothing until the next successful rebind.
 */
export class ListenerMoveError extends Error {
  override readonly name = 'ListenerMoveError';
  constructor(
    readonly host: string,
    readonly port: number,
    cause: unknown,
    /** The host listened on before; undefined when there was no listener to go back to. */
    readonly previousHost: string | undefined,
    readonly restoreError: unknown,
    /** Whose port it is, for the technician's message. */
    readonly transport: DeviceTransport = 'mqtt',
  ) {
    super(
      `Cannot listen on ${host}:${port}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }

  /** Whether the endpoint accepts connections again on previousHost. */
  get restored(): boolean {
    return this.previousHost !== undefined && this.restoreError === undefined;
  }
}

/** What a MovableListener holds while it accepts; made by the endpoint's bind. */
export interface Listening {
  readonly address: BoundAddress;
  /**
   * Stops accepting: `freed` resolves once the port can be bound again, `closed` once it has
   * closed for good (a TCP server: once its last connection ended, which the owner ends).
   * Called while it is still the listener's current one.
   */
  stop(): { freed: Promise<void>; closed: Promise<void> };
}

/** Opens a socket of the endpoint's kind on host:port (0: any free port). */
export type Bind<L extends Listening> = (host: string, port: number) => Promise<L>;

/**
 * Binds TCP (or TLS) servers: a stopped one frees its port at once, and its connections carry
 * on. Errors of a listening server (rare: EMFILE on accept) are reported, never thrown.
 */
export function serverBind(
  createServer: () => net.Server,
  onServerError: (host: string, error: Error) => void,
): Bind<Listening> {
  return (host, port) => {
    const server = createServer();
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        server.on('error', (err) => onServerError(host, err));
        const { address, port: bound } = server.address() as net.AddressInfo;
        resolve({
          address: { host: address, port: bound },
          stop: () => ({
            // libuv closes the socket synchronously, so the port is free for the next bind
            // right away; the callback only fires once this server's last connection ended.
            freed: Promise.resolve(),
            closed: new Promise<void>((done) => server.close(() => done())),
          }),
        });
      });
    });
  };
}

export class MovableListener<L extends Listening = Listening> {
  /** The host asked for (listen, then rebind): compared as given, never resolved. */
  private host: string;
  /** The port asked for; once bound, the port actually bound, which rebinds keep. */
  private port: number;
  /** What accepts right now; undefined before listen() and after a failed rebind. */
  private listening: L | undefined;
  /** Rebinds one after another: each starts from what the previous one left. */
  private moving: Promise<unknown> = Promise.resolve();
  private shuttingDown = false;

  constructor(
    /** Opens one listening socket; a rebind stops one and opens another of the same kind. */
    private readonly bind: Bind<L>,
    host: string,
    port: number,
    /** Named in errors: "MqttEndpoint", "HTTP device API", "CoapEndpoint". */
    private readonly what: string,
    private readonly transport: DeviceTransport,
  ) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RangeError(`${what} port must be 0..65535, got ${port}`);
    }
    this.host = host;
    this.port = port;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** The host last asked for (the address of a failure, when nothing is bound). */
  get requestedHost(): string {
    return this.host;
  }

  /** What accepts right now, if anything. */
  get current(): L | undefined {
    return this.listening;
  }

  /** Starts listening on the configured host only. Resolves with the bound address. */
  async listen(): Promise<BoundAddress> {
    if (this.listening) throw new Error(`${this.what} is already listening`);
    return this.open(this.host, this.port);
  }

  /** Where the endpoint accepts connections now; undefined while it does not. */
  address(): BoundAddress | undefined {
    return this.listening ? { ...this.listening.address } : undefined;
  }

  /**
   * Moves the listener to another host on the same port, keeping every open connection. The old
   * listener is closed first: Linux refuses 0.0.0.0:P while 127.0.0.1:P is bound, and the other
   * way round. If the new host can't be bound, the previous one is opened again and
   * ListenerMoveError tells both outcomes. Calls are serialized.
   */
  rebind(host: string): Promise<BoundAddress> {
    const move = this.moving.then(() => this.move(host));
    this.moving = move.catch(() => undefined);
    return move;
  }

  /**
   * Stops accepting for good, after a rebind under way. Resolves once the listener has closed,
   * which for a server is once its last connection has ended: the owner closes those.
   */
  async close(): Promise<void> {
    this.shuttingDown = true;
    // A rebind in progress finishes first (it checks shuttingDown), so no listener opens after.
    await this.moving;
    // Stopped while still current: its owner may use it to say goodbye (CoAP's 5.03s).
    const stopping = this.listening?.stop();
    this.listening = undefined;
    // Listeners stopped by a rebind already stopped accepting; their sockets are the owner's.
    await stopping?.closed;
  }

  private async move(host: string): Promise<BoundAddress> {
    if (this.shuttingDown) throw new Error(`${this.what} is shutting down`);
    const current = this.listening;
    if (current && host === this.host) return { ...current.address };
    // No listener (never opened, or a failed restore): just try the new host.
    const previousHost = current ? this.host : undefined;
    const port = this.port;
    await this.stopAccepting();
    try {
      return await this.open(host, port);
    } catch (error) {
      const restoreError =
        previousHost === undefined ? undefined : await this.reopen(previousHost, port);
      throw new ListenerMoveError(host, port, error, previousHost, restoreError, this.transport);
    }
  }

  /** The previous listener again; a few tries, since the port was free a moment ago. */
  private async reopen(host: string, port: number): Promise<unknown> {
    let lastError: unknown;
    for (let attempt = 0; attempt < REOPEN_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
      if (this.shuttingDown) return new Error(`${this.what} is shutting down`);
      try {
        await this.open(host, port);
        return undefined;
      } catch (error) {
        lastError = error;
      }
    }
    return lastError;
  }

  /** Stops accepting; resolves once the port is free. Its connections carry on. */
  private async stopAccepting(): Promise<void> {
    const stopping = this.listening?.stop();
    this.listening = undefined;
    if (!stopping) return;
    stopping.closed.catch(() => undefined);
    await stopping.freed;
  }

  private async open(host: string, port: number): Promise<BoundAddress> {
    const listening = await this.bind(host, port);
    if (this.shuttingDown) {
      // close() ran while this bind was under way: it must not outlive the endpoint.
      await listening.stop().closed;
      throw new Error(`${this.what} is shutting down`);
    }
    this.listening = listening;
    this.host = host;
    this.port = listening.address.port;
    return { ...listening.address };
  }
}
