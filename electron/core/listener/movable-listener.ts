/**
 * A listening socket that the "Serve the site network" switch can move to another host on the
 * same port while its connections carry on (closing a server only stops it accepting). Every
 * device-facing endpoint (MQTT, HTTP) listens through one.
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

export class MovableListener {
  /** The host asked for (listen, then rebind): compared as given, never resolved. */
  private host: string;
  /** The port asked for; once bound, the port actually bound, which rebinds keep. */
  private port: number;
  /** The server accepting right now; undefined before listen() and after a failed rebind. */
  private server: net.Server | undefined;
  private bound: BoundAddress | undefined;
  /** Rebinds one after another: each starts from what the previous one left. */
  private moving: Promise<unknown> = Promise.resolve();
  private shuttingDown = false;

  constructor(
    /** Makes one listening server; a rebind closes one and opens another of the same kind. */
    private readonly createServer: () => net.Server,
    /** Errors of a listening server (rare: EMFILE on accept): reported, never thrown. */
    private readonly onServerError: (host: string, error: Error) => void,
    host: string,
    port: number,
    /** Named in errors: "MqttEndpoint", "HTTP device API". */
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

  /** Starts listening on the configured host only. Resolves with the bound address. */
  async listen(): Promise<BoundAddress> {
    if (this.server) throw new Error(`${this.what} is already listening`);
    return this.open(this.host, this.port);
  }

  /** Where the endpoint accepts connections now; undefined while it does not. */
  address(): BoundAddress | undefined {
    return this.bound ? { ...this.bound } : undefined;
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
   * Stops accepting for good, after a rebind under way. Resolves once the server has closed,
   * which is once its last connection has ended: the owner closes those.
   */
  async close(): Promise<void> {
    this.shuttingDown = true;
    // A rebind in progress finishes first (it checks shuttingDown), so no listener opens after.
    await this.moving;
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    // Servers closed by a rebind already stopped accepting; their sockets are the owner's.
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private async move(host: string): Promise<BoundAddress> {
    if (this.shuttingDown) throw new Error(`${this.what} is shutting down`);
    const current = this.bound;
    if (current && host === this.host) return { ...current };
    // No listener (never opened, or a failed restore): just try the new host.
    const previousHost = current ? this.host : undefined;
    const port = this.port;
    this.stopAccepting();
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

  /** Closes the listening socket at once; its connections carry on. */
  private stopAccepting(): void {
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    // libuv closes the socket synchronously, so the port is free for the next bind right away;
    // the callback only fires once this server's last connection has ended.
    if (server?.listening) server.close(() => undefined);
  }

  private open(host: string, port: number): Promise<BoundAddress> {
    const server = this.createServer();
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        if (this.shuttingDown) {
          // close() ran while this bind was under way: it must not outlive the endpoint.
          server.close();
          reject(new Error(`${this.what} is shutting down`));
          return;
        }
        server.on('error', (err) => this.onServerError(host, err));
        const address = server.address() as net.AddressInfo;
        this.server = server;
        this.host = host;
        this.port = address.port;
        this.bound = { host: address.address, port: address.port };
        resolve({ ...this.bound });
      });
    });
  }
}
