/**
 * The station's CoAP listener: one UDP socket on the device-facing address, served by
 * StationCoapServer. The Station page's "Serve the site network" switch moves it as it moves
 * the MQTT listener (rebind); observations do not survive a move (they are bound to the old
 * socket), so each observer is told 5.03 and registers again.
 */
import dgram from 'node:dgram';
import net from 'node:net';

import type { CoapPacket } from 'coap';

import { ListenerMoveError } from '../mqtt';
import {
  type CoapRequestHandler,
  type CoapServerLimits,
  type CoapServerRefusal,
  type CoapServerStats,
  DEFAULT_COAP_SERVER_LIMITS,
  StationCoapServer,
} from './coap-server';

export interface CoapEndpointOptions {
  host: string;
  /** Default 5683; 0 picks a free port (kept across moves). */
  port: number;
  handler: CoapRequestHandler;
  /** Whether a GET with Observe:0 to this url may start an observation. */
  observable(url: string): boolean;
  /** The listener is about to close: end the observations it carries. */
  closing(): void;
  refused(refusal: CoapServerRefusal): void;
  limits?: Partial<CoapServerLimits>;
}

export class CoapEndpoint {
  private host: string;
  private port: number;
  private server: StationCoapServer | undefined;
  private bound: { host: string; port: number } | undefined;
  private moving: Promise<unknown> = Promise.resolve();
  private shuttingDown = false;
  /** Counts of the servers closed by moves, so the figures cover the station's whole run. */
  private readonly pastStats: CoapServerStats = { requests: 0, duplicates: 0, malformed: 0 };
  private readonly limits: CoapServerLimits;

  constructor(private readonly options: CoapEndpointOptions) {
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new RangeError(`CoAP port must be 0..65535, got ${options.port}`);
    }
    this.host = options.host;
    this.port = options.port;
    this.limits = { ...DEFAULT_COAP_SERVER_LIMITS, ...options.limits };
  }

  listen(): Promise<{ host: string; port: number }> {
    if (this.server) throw new Error('CoapEndpoint is already listening');
    return this.open(this.host, this.port);
  }

  address(): { host: string; port: number } | undefined {
    return this.bound ? { ...this.bound } : undefined;
  }

  get stats(): CoapServerStats {
    const now = this.server?.stats;
    return {
      requests: this.pastStats.requests + (now?.requests ?? 0),
      duplicates: this.pastStats.duplicates + (now?.duplicates ?? 0),
      malformed: this.pastStats.malformed + (now?.malformed ?? 0),
    };
  }

  /** Answers held for retransmissions by the server listening now. */
  get cachedResponses(): number {
    return this.server?.cachedResponses ?? 0;
  }

  /** One datagram outside any exchange, from the listening socket; dropped while there is none. */
  send(packet: CoapPacket, peer: { address: string; port: number }): void {
    this.server?.send(packet, peer);
  }

  /** Same contract as MqttEndpoint.rebind: serialized; ListenerMoveError says what happened. */
  rebind(host: string): Promise<{ host: string; port: number }> {
    const move = this.moving.then(() => this.move(host));
    this.moving = move.catch(() => undefined);
    return move;
  }

  private async move(host: string): Promise<{ host: string; port: number }> {
    if (this.shuttingDown) throw new Error('CoapEndpoint is shutting down');
    const current = this.bound;
    if (current && host === this.host) return { ...current };
    const previousHost = current ? this.host : undefined;
    const port = this.port;
    await this.stop();
    try {
      return await this.open(host, port);
    } catch (error) {
      let restoreError: unknown;
      if (previousHost !== undefined) {
        restoreError = await this.open(previousHost, port).then(
          () => undefined,
          (reopenError: unknown) => reopenError,
        );
      }
      throw new ListenerMoveError(host, port, error, previousHost, restoreError, 'coap');
    }
  }

  private open(host: string, port: number): Promise<{ host: string; port: number }> {
    // No SO_REUSEADDR: a second station on the same port must fail, not share the datagrams.
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      socket.once('error', (error) => {
        socket.close();
        reject(error);
      });
      socket.bind(port, host, () => {
        socket.removeAllListeners('error');
        if (this.shuttingDown) {
          socket.close();
          reject(new Error('CoapEndpoint is shutting down'));
          return;
        }
        const server = new StationCoapServer(
          socket,
          this.options.handler,
          this.options.observable,
          (refusal) => this.options.refused(refusal),
          this.limits,
        );
        // A send to an unreachable peer, say: reported, never thrown.
        server.on('error', (error: Error) =>
          this.options.refused({
            kind: 'coap-handler-error',
            message: `CoAP socket: ${error.message}`,
            remoteAddress: host,
          }),
        );
        const address = socket.address();
        this.server = server;
        this.host = host;
        this.port = address.port;
        this.bound = { host: address.address, port: address.port };
        resolve({ ...this.bound });
      });
    });
  }

  private async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.options.closing();
    this.server = undefined;
    this.bound = undefined;
    for (const key of ['requests', 'duplicates', 'malformed'] as const) {
      this.pastStats[key] += server.stats[key];
    }
    await server.shutdown();
  }

  close(): Promise<void> {
    this.shuttingDown = true;
    return this.moving.then(() => this.stop());
  }
}
