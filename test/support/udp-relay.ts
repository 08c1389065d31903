/**
 * A lossy link for CoAP tests and benchmarks: a UDP relay on 127.0.0.1 that forwards datagrams
 * between each client and the target, dropping a share of them in both directions. The drops
 * follow a seeded generator, so a failing run can be repeated datagram for datagram.
 */
import dgram from 'node:dgram';

export interface RelayOptions {
  target: { host: string; port: number };
  /** Share of datagrams dropped, 0..1, in each direction. */
  dropRate: number;
  seed: number;
  /** Clients (source address:port) relayed at once; datagrams of more are dropped. */
  maxClients?: number;
}

export interface RelayStats {
  forwarded: number;
  dropped: number;
  /**
   * Client datagrams that repeat a CoAP message id the same client sent before (bytes 2-3 of
   * the header): its retransmissions, counted before any drop.
   */
  retransmissions: number;
}

/** Message ids remembered per client to spot its retransmissions. */
const REMEMBERED_IDS = 256;

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class UdpRelay {
  readonly stats: RelayStats = { forwarded: 0, dropped: 0, retransmissions: 0 };
  private readonly upstreams = new Map<string, dgram.Socket>();
  private readonly recentIds = new Map<string, Set<number>>();
  private readonly random: () => number;

  private constructor(
    private readonly front: dgram.Socket,
    private readonly options: RelayOptions,
  ) {
    this.random = seededRandom(options.seed);
    front.on('message', (message, from) => this.fromClient(message, from));
  }

  static async start(options: RelayOptions): Promise<UdpRelay> {
    const front = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(0, '127.0.0.1', () => resolve());
    });
    return new UdpRelay(front, options);
  }

  get port(): number {
    return this.front.address().port;
  }

  /** Datagrams from the start, both directions. */
  get total(): number {
    return this.stats.forwarded + this.stats.dropped;
  }

  private keep(): boolean {
    if (this.random() < this.options.dropRate) {
      this.stats.dropped++;
      return false;
    }
    this.stats.forwarded++;
    return true;
  }

  private fromClient(message: Buffer, from: dgram.RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let upstream = this.upstreams.get(key);
    if (!upstream) {
      if (this.upstreams.size >= (this.options.maxClients ?? 10_000)) return;
      upstream = dgram.createSocket('udp4');
      upstream.bind(0, '127.0.0.1');
      upstream.on('message', (reply) => {
        if (this.keep()) this.front.send(reply, from.port, from.address);
      });
      upstream.on('error', () => undefined);
      this.upstreams.set(key, upstream);
    }
    this.noteMessageId(key, message);
    if (this.keep()) {
      upstream.send(message, this.options.target.port, this.options.target.host);
    }
  }

  private noteMessageId(client: string, message: Buffer): void {
    // An empty ACK/RST answers the server; only requests (code class 0, not empty) count.
    if (message.length < 4 || message[1] === 0 || message[1]! >> 5 !== 0) return;
    const id = message.readUInt16BE(2);
    let ids = this.recentIds.get(client);
    if (!ids) this.recentIds.set(client, (ids = new Set()));
    if (ids.has(id)) {
      this.stats.retransmissions++;
      return;
    }
    ids.add(id);
    if (ids.size > REMEMBERED_IDS) ids.delete(ids.values().next().value!);
  }

  async close(): Promise<void> {
    const sockets = [this.front, ...this.upstreams.values()];
    this.upstreams.clear();
    await Promise.all(
      sockets.map((socket) => new Promise<void>((resolve) => socket.close(() => resolve()))),
    );
  }
}
