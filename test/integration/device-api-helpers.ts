/**
 * Helpers for the device API conformance tests (test/integration/device-api-*.test.ts): a raw
 * MQTT client that shows every packet the station sends in order, PUBACK reason codes from
 * MQTT.js, chunk downloads, and a read-only look into the station's database.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { generate, type Packet, parser as createParser } from 'mqtt-packet';

import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import type { ProtocolErrorEntry } from '../../shared/api/entities';
import { nextMessage, type StationFixture } from '../support/station-fixture';
import { delay } from '../support/wait';

export const MB = 1_000_000;
/** Over the 32 MiB the station keeps in memory: a package this big is served from its file. */
export const BIG_PACKAGE = 40 * MB;

export type Version = 4 | 5;
export const VERSIONS: readonly Version[] = [4, 5];

/** A deterministic binary whose bytes differ at every offset modulo 251 (a prime). */
export function binary(size: number, seed = 0): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i + seed) % 251;
  return bytes;
}

export function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/**
 * A bare TCP client speaking MQTT through mqtt-packet: what it sends is exactly what the test
 * wrote, and `packets` is every packet the station sent, in arrival order.
 */
export class RawMqtt {
  readonly packets: Packet[] = [];
  readonly parseErrors: string[] = [];
  readonly closed: Promise<void>;
  private ended = false;

  private constructor(
    readonly socket: net.Socket,
    readonly version: Version,
  ) {
    const parser = createParser({ protocolVersion: version });
    parser.on('packet', (packet: Packet) => this.packets.push(packet));
    parser.on('error', (error: Error) => this.parseErrors.push(error.message));
    socket.on('data', (data: Buffer) => parser.parse(data));
    socket.on('error', () => undefined); // a reset by the station is an outcome tests check
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        resolve();
      }),
    );
  }

  static open(port: number, version: Version = 4): Promise<RawMqtt> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.setNoDelay(true);
        resolve(new RawMqtt(socket, version));
      });
      socket.once('error', reject);
    });
  }

  /** Opens a connection and sends CONNECT with the token as username; waits for the CONNACK. */
  static async connect(
    port: number,
    version: Version,
    token: string | undefined,
    clientId = `raw-${crypto.randomUUID()}`,
  ): Promise<{ raw: RawMqtt; code: number }> {
    const raw = await RawMqtt.open(port, version);
    raw.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: version,
      clientId,
      clean: true,
      keepalive: 0,
      ...(token === undefined ? {} : { username: token }),
    });
    const connack = await raw.waitFor((p) => p.cmd === 'connack');
    if (connack.cmd !== 'connack') throw new Error('unreachable');
    return { raw, code: (version === 5 ? connack.reasonCode : connack.returnCode) ?? -1 };
  }

  get isClosed(): boolean {
    return this.ended;
  }

  send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.version }));
  }

  publish(topic: string, payload: string | Buffer, qos: 0 | 1, messageId?: number): void {
    this.send({
      cmd: 'publish',
      topic,
      payload,
      qos,
      dup: false,
      retain: false,
      ...(qos === 1 ? { messageId: messageId ?? 1 } : {}),
    });
  }

  subscribe(messageId: number, filters: { topic: string; qos: 0 | 1 | 2 }[]): void {
    this.send({ cmd: 'subscribe', messageId, subscriptions: filters });
  }

  /** The first packet (from `from` on) that matches; waits for it, bounded. */
  async waitFor(match: (p: Packet) => boolean, timeoutMs = 5000, from = 0): Promise<Packet> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.packets.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = this.packets.map((p) => (p.cmd === 'publish' ? `publish ${p.topic}` : p.cmd));
        throw new Error(`No matching packet within ${timeoutMs} ms; got [${seen.join(', ')}]`);
      }
      await delay(5);
    }
  }

  publishes(topic?: string): Extract<Packet, { cmd: 'publish' }>[] {
    return this.packets.filter(
      (p): p is Extract<Packet, { cmd: 'publish' }> =>
        p.cmd === 'publish' && (topic === undefined || p.topic === topic),
    );
  }

  end(): void {
    this.socket.destroy();
  }
}

export function payloadOf(packet: Packet): Buffer {
  if (packet.cmd !== 'publish') throw new Error(`${packet.cmd} has no payload`);
  return typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
}

/**
 * Publishes at QoS 1 and returns the PUBACK reason code (0 on MQTT 3.1.1, whose PUBACK has
 * none). MQTT.js rejects a PUBACK >= 0x80 with the code attached; that is an answer here.
 */
export async function pubackCode(
  client: MqttClient,
  topic: string,
  payload: string | Buffer,
): Promise<number> {
  try {
    const packet = await client.publishAsync(topic, payload, { qos: 1 });
    return (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw error;
  }
}

/** Sends a chunk request and resolves with the response (or the error) it got. */
export async function requestChunk(
  client: MqttClient,
  request: { requestTopic: string; responseTopic: string },
  size: string,
  timeoutMs = 5000,
): Promise<{ topic: string; payload: Buffer }> {
  const answer = nextMessage(
    client,
    (t) => t === request.responseTopic || t === 'v2/fw/error',
    timeoutMs,
  );
  await client.publishAsync(request.requestTopic, size, { qos: 1 });
  return answer;
}

/** Downloads a whole binary chunk by chunk until the 0-byte end of file (bounded). */
export async function download(
  client: MqttClient,
  opts: { requestId: string; chunkSize: number; prefix?: 'v2/fw' | 'v2/sw'; maxChunks?: number },
): Promise<Buffer> {
  const prefix = opts.prefix ?? 'v2/fw';
  const parts: Buffer[] = [];
  for (let index = 0; index < (opts.maxChunks ?? 10_000); index++) {
    const { topic, payload } = await requestChunk(
      client,
      {
        requestTopic: `${prefix}/request/${opts.requestId}/chunk/${index}`,
        responseTopic: `${prefix}/response/${opts.requestId}/chunk/${index}`,
      },
      String(opts.chunkSize),
    );
    if (topic === 'v2/fw/error') throw new Error(`chunk ${index}: ${payload.toString()}`);
    if (payload.length === 0) return Buffer.concat(parts);
    parts.push(payload);
  }
  throw new Error('download did not end');
}

export interface Scenario {
  profileId: string;
  deviceId: string;
  token: string;
  packageId: string;
  firmware: Buffer;
}

/** A profile, a device, a firmware of `size` bytes assigned to it. */
export async function deviceWithFirmware(
  fx: StationFixture,
  opts: {
    name?: string;
    size?: number;
    profileId?: string;
    version?: string;
    seed?: number;
    /** The firmware itself, instead of a generated one of `size` bytes. */
    bytes?: Buffer;
  } = {},
): Promise<Scenario> {
  const profileId = opts.profileId ?? (await fx.profile(`P-${crypto.randomUUID()}`)).id;
  const device = await fx.device(opts.name ?? `D-${crypto.randomUUID()}`, profileId);
  const firmware = opts.bytes ?? binary(opts.size ?? 20_000, opts.seed ?? 0);
  const pkg = await fx.packageFrom(firmware, {
    profileId,
    version: opts.version ?? `1.0.${Math.floor(Math.random() * 1e9)}`,
  });
  await fx.station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });
  return { profileId, deviceId: device.id, token: device.accessToken, packageId: pkg.id, firmware };
}

/**
 * Bytes this process has read through read()/pread() so far (Linux /proc/self/io `rchar`): what
 * an in-process station read from its blob files, plus a little socket and SQLite noise.
 */
export function bytesReadByThisProcess(): number {
  const match = /^rchar:\s*(\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'));
  if (!match?.[1]) throw new Error('no rchar in /proc/self/io');
  return Number(match[1]);
}

export function protocolErrors(fx: StationFixture): Promise<ProtocolErrorEntry[]> {
  return fx.station.api['station.protocolErrors']({ limit: 1000 });
}

/** The station's SQLite file opened read-only beside it (WAL lets both work). */
export function readDatabase(fx: StationFixture): Database.Database {
  return new Database(path.join(fx.dataDir, DATABASE_FILE_NAME), {
    readonly: true,
    fileMustExist: true,
  });
}

/** Every stored value of one telemetry key, oldest first. */
export function telemetryHistory(
  fx: StationFixture,
  deviceId: string,
  key: string,
): { ts: number; value: unknown }[] {
  const db = readDatabase(fx);
  try {
    const rows = db
      .prepare('SELECT ts, value FROM telemetry WHERE device_id = ? AND key = ? ORDER BY ts')
      .all(deviceId, key) as { ts: number; value: string }[];
    return rows.map((r) => ({ ts: r.ts, value: JSON.parse(r.value) as unknown }));
  } finally {
    db.close();
  }
}
