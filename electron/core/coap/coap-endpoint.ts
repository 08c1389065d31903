/**
 * The station's CoAP listener: one UDP socket on the device-facing address, served by
 * StationCoapServer. The Station page's "Serve the site network" switch moves it as it moves
 * the MQTT listener (rebind); observations do not survive a move (they are bound to the old
 * socket), so each observer is told 5.03 and registers again.
 */
import dgram from 'node:dgram';
import net from 'node:net';

import type { CoapPacket } from 'coap';

import { ListeningEndpoint } from '../listener/listening-endpoint';
import { type BoundAddress, type Listening, MovableListener } from '../listener/movable-listener';
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

/** A bound socket and the server answering on it. */
interface CoapListening extends Listening {
  readonly server: StationCoapServer;
}

export class CoapEndpoint extends ListeningEndpoint {
  protected readonly listener: MovableListener<CoapListening>;
  /** Counts of the servers closed by moves, so the figures cover the station's whole run. */
  private readonly pastStats: CoapServerStats = { requests: 0, duplicates: 0, malformed: 0 };
  private readonly limits: CoapServerLimits;

  constructor(private readonly options: CoapEndpointOptions) {
    super();
    this.limits = { ...DEFAULT_COAP_SERVER_LIMITS, ...options.limits };
    this.listener = new MovableListener(
      (host, port) => this.bind(host, port),
      options.host,
      options.port,
      'CoapEndpoint',
      'coap',
    );
  }

  get stats(): CoapServerStats {
    const now = this.listener.current?.server.stats;
    return {
      requests: this.pastStats.requests + (now?.requests ?? 0),
      duplicates: this.pastStats.duplicates + (now?.duplicates ?? 0),
      malformed: this.pastStats.malformed + (now?.malformed ?? 0),
    };
  }

  /** Answers held for retransmissions by the server listening now. */
  get cachedResponses(): number {
    return this.listener.current?.server.cachedResponses ?? 0;
  }

  /** One datagram outside any exchange, from the listening socket; dropped while there is none. */
  send(packet: CoapPacket, peer: { address: string; port: number }): void {
    this.listener.current?.server.send(packet, peer);
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  private bind(host: string, port: number): Promise<CoapListening> {
    // No SO_REUSEADDR: a second station on the same port must fail, not share the datagrams.
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      socket.once('error', (error) => {
        socket.close();
        reject(error);
      });
      socket.bind(port, host, () => {
        socket.removeAllListeners('error');
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
        const bound: BoundAddress = { host: address.address, port: address.port };
        resolve({ address: bound, server, stop: () => this.stop(server) });
      });
    });
  }

  /** The observations on this socket end first; the port is free once the socket closed. */
  private stop(server: StationCoapServer): { freed: Promise<void>; closed: Promise<void> } {
    this.options.closing();
    for (const key of ['requests', 'duplicates', 'malformed'] as const) {
      this.pastStats[key] += server.stats[key];
    }
    const closed = server.shutdown();
    return { freed: closed, closed };
  }
}
