/**
 * The benchmark baseline: a bare aedes broker that answers the ServicePleX device requests
 * itself, from one firmware Buffer in memory, publishing each answer straight to the asking
 * client (never routed), as ThingsBoard does. Whatever the station costs beyond this is the
 * price of its own work (auth, storage, jobs). Also lets the simulator be tested on its own.
 * aedes speaks MQTT 3.1.1 only.
 */
import { type AddressInfo, createServer, type Server } from 'node:net';

import { Aedes, type AedesPublishPacket, type Client } from 'aedes';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import type { ChecksumAlgorithm } from '../../shared/protocol/checksum-algorithms';
import { otaKeys, type OtaPackageType } from '../../shared/protocol/ota-keys';
import {
  ATTRIBUTES_RESPONSE_PREFIX,
  ATTRIBUTES_TOPIC,
  chunkResponseTopic,
  FIRMWARE_ERROR_TOPIC,
  parseDeviceTopic,
  topicMatchesFilter,
} from '../../shared/protocol/topics';

export interface AedesBaselineOptions {
  firmware: Buffer;
  title: string;
  version: string;
  checksumAlgorithm: ChecksumAlgorithm;
  /** Served as a firmware (fw_ keys, v2/fw/) or software package (default FIRMWARE). */
  type?: OtaPackageType;
  /** Announce this checksum instead of the real one (to test a device's verification). */
  checksum?: string;
  /** Whether the package is assigned from the start (default true); see `assign()`. */
  assigned?: boolean;
  /** Answer every chunk request with this text on v2/fw/error (e.g. NOT_FOUND). */
  chunkError?: string;
  /** Leave the first request of this chunk index unanswered, per client (tests retries). */
  ignoreFirstRequestOf?: number;
}

export interface AedesBaseline {
  url: string;
  close(): Promise<void>;
  /** Last fw_state (sw_state for software) reported per token. */
  states: Map<string, string>;
  /** Every telemetry object received, per token, in order. */
  telemetry: Map<string, Record<string, unknown>[]>;
  counters: { attributeRequests: number; chunkRequests: number; bytesServed: number };
  /** Assigns the package and pushes its attributes to every connected device. */
  assign(): void;
}

interface Session {
  token: string;
  /** Filter -> granted QoS: an answer goes out at the QoS of the filter it matches (0 if none). */
  subscriptions: Map<string, number>;
  ignoredOnce: boolean;
}

export async function startAedesBaseline(options: AedesBaselineOptions): Promise<AedesBaseline> {
  const type = options.type ?? 'FIRMWARE';
  const keys = otaKeys(type);
  const firmware = options.firmware;
  const attributes: Record<string, unknown> = {
    [keys.title]: options.title,
    [keys.version]: options.version,
    [keys.size]: firmware.length,
    [keys.checksumAlgorithm]: options.checksumAlgorithm,
    [keys.checksum]: options.checksum ?? checksumOfBuffer(options.checksumAlgorithm, firmware),
  };
  let assigned = options.assigned ?? true;
  const sessions = new Map<Client, Session>();
  const states = new Map<string, string>();
  const telemetry = new Map<string, Record<string, unknown>[]>();
  const counters = { attributeRequests: 0, chunkRequests: 0, bytesServed: 0 };

  const answer = (client: Client, topic: string, payload: Buffer | string): void => {
    const session = sessions.get(client);
    let qos = 0;
    for (const [filter, granted] of session?.subscriptions ?? []) {
      if (granted > qos && topicMatchesFilter(topic, filter)) qos = granted;
    }
    const message = {
      cmd: 'publish',
      topic,
      payload,
      qos: qos as 0 | 1,
      retain: false,
      dup: false,
    } as const;
    client.publish(message, () => undefined);
  };

  const onTelemetry = (session: Session, payload: Buffer): void => {
    const body = parseJson(payload);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    const record = body as Record<string, unknown>;
    const list = telemetry.get(session.token) ?? [];
    list.push(record);
    telemetry.set(session.token, list);
    if (typeof record[keys.state] === 'string')
      states.set(session.token, record[keys.state] as string);
  };

  const onAttributeRequest = (client: Client, requestId: string, payload: Buffer): void => {
    counters.attributeRequests++;
    const body = parseJson(payload) as { sharedKeys?: unknown } | undefined;
    const wanted =
      typeof body?.sharedKeys === 'string' ? body.sharedKeys.split(',') : Object.keys(attributes);
    const shared: Record<string, unknown> = {};
    if (assigned) for (const key of wanted) if (key in attributes) shared[key] = attributes[key];
    const response = Object.keys(shared).length > 0 ? { shared } : {};
    answer(client, `${ATTRIBUTES_RESPONSE_PREFIX}${requestId}`, JSON.stringify(response));
  };

  const onChunkRequest = (
    session: Session,
    client: Client,
    requestType: OtaPackageType,
    requestId: string,
    index: number,
    payload: Buffer,
  ): void => {
    counters.chunkRequests++;
    if (options.chunkError !== undefined || !assigned || requestType !== type) {
      answer(client, FIRMWARE_ERROR_TOPIC, options.chunkError ?? 'NOT_FOUND');
      return;
    }
    if (index === options.ignoreFirstRequestOf && !session.ignoredOnce) {
      session.ignoredOnce = true;
      return;
    }
    const text = payload.toString('utf8').trim();
    const size = text === '' ? firmware.length : Number(text);
    if (!Number.isSafeInteger(size) || size <= 0) {
      answer(client, FIRMWARE_ERROR_TOPIC, 'FAILURE');
      return;
    }
    const start = Math.min(size * index, firmware.length);
    const chunk = firmware.subarray(start, Math.min(start + size, firmware.length));
    counters.bytesServed += chunk.length;
    answer(client, chunkResponseTopic(type, requestId, index), chunk);
  };

  const onPublish = (packet: AedesPublishPacket, client: Client): void => {
    const session = sessions.get(client);
    if (!session) return;
    const payload =
      typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const topic = parseDeviceTopic(packet.topic);
    if (topic.kind === 'telemetry') onTelemetry(session, payload);
    else if (topic.kind === 'attributeRequest')
      onAttributeRequest(client, topic.requestId, payload);
    else if (topic.kind === 'chunkRequest')
      onChunkRequest(session, client, topic.type, topic.requestId, topic.chunk, payload);
  };

  const broker = await Aedes.createBroker({
    authenticate: (client, username, _password, done) => {
      sessions.set(client, {
        token: username ?? client.id,
        subscriptions: new Map(),
        ignoredOnce: false,
      });
      done(null, true);
    },
    // Runs after the PUBACK is written, like TB: acknowledge the request, then answer it.
    published: (packet, client, done) => {
      try {
        if (client) onPublish(packet, client);
      } finally {
        done();
      }
    },
  });
  broker.on('subscribe', (subscriptions, client) => {
    const session = sessions.get(client);
    for (const s of subscriptions) session?.subscriptions.set(s.topic, s.qos);
  });
  broker.on('clientDisconnect', (client) => sessions.delete(client));
  broker.on('clientError', () => undefined);
  broker.on('connectionError', () => undefined);

  // No Nagle: a chunk follows its PUBACK and must not wait for the device's delayed ACK.
  const server = createServer({ noDelay: true }, (socket) => void broker.handle(socket));
  await listen(server);
  const { port } = server.address() as AddressInfo;

  return {
    url: `mqtt://127.0.0.1:${port}`,
    states,
    telemetry,
    counters,
    assign() {
      assigned = true;
      for (const client of sessions.keys())
        answer(client, ATTRIBUTES_TOPIC, JSON.stringify(attributes));
    },
    close: () => closeAll(server, broker),
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

async function closeAll(server: Server, broker: Aedes): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  // broker.close() ends every client connection, which lets server.close() complete.
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await serverClosed;
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
