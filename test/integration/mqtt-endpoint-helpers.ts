/**
 * Shared fixtures for the MQTT endpoint tests: an endpoint on 127.0.0.1:0 with a tiny device
 * API (the handler the brief describes), MQTT.js clients, and a raw socket client that shows
 * packets exactly as they arrive.
 */
import net from 'node:net';

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { generate, type IConnackPacket, type Packet, parser as createParser } from 'mqtt-packet';

import { MqttEndpoint } from '../../electron/core/mqtt/mqtt-endpoint';
import type { MqttSession } from '../../electron/core/mqtt/mqtt-session';
import type {
  IncomingPublish,
  MqttEndpointOptions,
  ProtocolErrorEvent,
  SessionHandlers,
} from '../../electron/core/mqtt/types';
import { delay } from '../support/wait';

export interface TestDevice {
  token: string;
  clientId: string;
}

export const GOOD_TOKEN = 'good-token';

export const TEST_FILTERS = [
  'echo/+/reply',
  'flood/reply',
  'source/+',
  'notify/+',
  'v1/devices/me/attributes',
  'v2/fw/response/+/chunk/+',
];

export interface Recorded {
  published: { clientId: string; message: IncomingPublish }[];
  errors: ProtocolErrorEvent<TestDevice>[];
  connected: MqttSession<TestDevice>[];
  disconnected: { clientId: string; reason: string }[];
}

/** The brief's in-test device API: tokens, 0x90 for 'bad', echo, and a flood generator. */
export function testHandlers(recorded: Recorded): SessionHandlers<TestDevice> {
  return {
    // Async on purpose: packets pipelined behind CONNECT must wait for the answer.
    authenticate: async (info) => {
      await new Promise((resolve) => setImmediate(resolve));
      return info.username === GOOD_TOKEN
        ? { token: info.username, clientId: info.clientId }
        : null;
    },
    onConnected: (session) => recorded.connected.push(session),
    onDisconnected: (session, reason) =>
      recorded.disconnected.push({ clientId: session.clientId, reason }),
    onProtocolError: (event) => recorded.errors.push(event),
    onPublish: (session, message) => {
      recorded.published.push({ clientId: session.clientId, message });
      const { topic } = message;
      if (topic === 'bad') return 0x90;
      if (topic === 'throw') throw new Error('handler exploded');
      if (/^echo\/[^/]+$/.test(topic)) {
        session.publish(`${topic}/reply`, message.payload);
        return 0;
      }
      if (topic === 'source') {
        // {"length":n}: one reply to source/reply whose payload is read on demand (byte i is
        // i % 251); when the session refuses it, 'refused' on source/refused.
        const { length } = JSON.parse(message.payload.toString()) as { length: number };
        const queued = session.publish('source/reply', {
          length,
          read: (offset, count) => {
            const piece = Buffer.allocUnsafe(count);
            for (let i = 0; i < count; i++) piece[i] = (offset + i) % 251;
            return piece;
          },
        });
        if (!queued) session.publish('source/refused', 'refused');
        return 0;
      }
      if (topic === 'flood') {
        // {"count":n,"size":bytes,"qos":0|1}: n responses of size bytes to flood/reply.
        const spec = JSON.parse(message.payload.toString()) as {
          count: number;
          size: number;
          qos?: 0 | 1;
        };
        for (let i = 0; i < spec.count; i++) {
          const body = Buffer.alloc(spec.size, i % 256);
          if (body.length >= 4) body.writeUInt32BE(i, 0); // sequence number for order checks
          session.publish('flood/reply', body, spec.qos === undefined ? {} : { qos: spec.qos });
        }
        return 0;
      }
      return 0;
    },
  };
}

export interface TestEndpoint {
  endpoint: MqttEndpoint<TestDevice>;
  port: number;
  recorded: Recorded;
}

export async function startTestEndpoint(
  overrides: Partial<MqttEndpointOptions<TestDevice>> = {},
): Promise<TestEndpoint> {
  const recorded: Recorded = { published: [], errors: [], connected: [], disconnected: [] };
  const endpoint = new MqttEndpoint<TestDevice>({
    host: '127.0.0.1',
    port: 0,
    handlers: testHandlers(recorded),
    subscribableFilters: TEST_FILTERS,
    ...overrides,
  });
  const { port } = await endpoint.listen();
  return { endpoint, port, recorded };
}

/** Connects an MQTT.js client; resolves with its CONNACK once accepted, rejects on refusal. */
export function connectClientWithConnack(
  port: number,
  options: IClientOptions = {},
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      host: '127.0.0.1',
      port,
      protocol: 'mqtt',
      reconnectPeriod: 0,
      connectTimeout: 5000,
      username: GOOD_TOKEN,
      ...options,
    });
    client.once('connect', (connack) => resolve({ client, connack }));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

export async function connectClient(
  port: number,
  options: IClientOptions = {},
): Promise<MqttClient> {
  return (await connectClientWithConnack(port, options)).client;
}

export function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

/** Polls until check() is true or the deadline passes (then throws with what). */
/**
 * A client on a bare socket: writes packets (or raw bytes) and records every packet the server
 * sends, in order, parsed by mqtt-packet.
 */
export class RawClient {
  readonly packets: Packet[] = [];
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  readonly parseErrors: string[] = [];
  private readonly parser;
  private isClosed = false;

  private constructor(
    socket: net.Socket,
    private readonly protocolVersion: 3 | 4 | 5,
  ) {
    this.socket = socket;
    this.parser = createParser({ protocolVersion });
    this.parser.on('packet', (packet: Packet) => this.packets.push(packet));
    this.parser.on('error', (err: Error) => this.parseErrors.push(err.message));
    socket.on('data', (chunk: Buffer) => this.parser.parse(chunk));
    socket.on('error', () => undefined); // resets are expected in these tests
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static open(port: number, protocolVersion: 3 | 4 | 5 = 4): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () =>
        resolve(new RawClient(socket, protocolVersion)),
      );
      socket.once('error', reject);
    });
  }

  /** Opens, sends CONNECT (token as username) and waits for the CONNACK. */
  static async connect(
    port: number,
    protocolVersion: 3 | 4 | 5,
    extra: Partial<Extract<Packet, { cmd: 'connect' }>> = {},
  ): Promise<RawClient> {
    const raw = await RawClient.open(port, protocolVersion);
    raw.send({
      cmd: 'connect',
      protocolId: protocolVersion === 3 ? 'MQIsdp' : 'MQTT',
      protocolVersion,
      clientId: `raw-${Math.random().toString(36).slice(2)}`,
      clean: true,
      keepalive: 0,
      username: GOOD_TOKEN,
      ...extra,
    });
    const connack = await raw.next('connack');
    const code = protocolVersion === 5 ? connack.reasonCode : connack.returnCode;
    if (code !== 0) throw new Error(`raw CONNECT refused with ${String(code)}`);
    return raw;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.protocolVersion }));
  }

  sendBytes(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits for the next not-yet-taken packet of this type. */
  async next<C extends Packet['cmd']>(
    cmd: C,
    timeoutMs = 5000,
  ): Promise<Extract<Packet, { cmd: C }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.packets.findIndex(
        (packet) => packet.cmd === cmd && !this.taken.has(packet),
      );
      const packet = this.packets[index];
      if (packet !== undefined) {
        this.taken.add(packet);
        return packet as Extract<Packet, { cmd: C }>;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no ${cmd} within ${timeoutMs} ms; got ${this.packets.map((p) => p.cmd).join(',')}`,
        );
      }
      await delay(5);
    }
  }

  count(cmd: Packet['cmd']): number {
    return this.packets.filter((packet) => packet.cmd === cmd).length;
  }

  private readonly taken = new Set<Packet>();

  end(): void {
    this.socket.destroy();
  }
}
