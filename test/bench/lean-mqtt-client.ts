/**
 * A device for the whole-file benchmark that reads a PUBLISH without holding it: the payload is
 * hashed and counted as it arrives, so a 100 MB response costs this process no 100 MB buffer
 * and the figures are the server's. MQTT 3.1.1, raw TCP.
 */
import crypto from 'node:crypto';
import net from 'node:net';

import { generate } from 'mqtt-packet';

export interface Received {
  topic: string;
  bytes: number;
  sha256: string;
}

interface FixedHeader {
  type: number;
  headerLength: number;
  remaining: number;
}

function fixedHeader(buffer: Buffer): FixedHeader | undefined {
  let remaining = 0;
  for (let i = 1, shift = 0; i < Math.min(buffer.length, 5); i++, shift += 7) {
    const byte = buffer[i] ?? 0;
    remaining += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { type: (buffer[0] ?? 0) >> 4, headerLength: i + 1, remaining };
  }
  return undefined;
}

export class LeanMqttClient {
  readonly socket: net.Socket;
  private header: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;
  private current: { topic: string; bytes: number; hash: crypto.Hash } | undefined;
  private readonly waiting: ((received: Received) => void)[] = [];
  private connack: (() => void) | undefined;
  closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closed = true));
  }

  static connect(url: string, token: string): Promise<LeanMqttClient> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port) }, () => {
        const client = new LeanMqttClient(socket);
        client.connack = () => resolve(client);
        socket.write(
          generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clientId: `lean-${token}`,
            clean: true,
            keepalive: 0,
            username: token,
          }),
        );
      });
      socket.once('error', reject);
    });
  }

  /** A chunk request at QoS 1; resolves with the next PUBLISH received. */
  request(topic: string, payload: string, messageId: number): Promise<Received> {
    const next = new Promise<Received>((resolve) => this.waiting.push(resolve));
    this.socket.write(this.requestPacket(topic, payload, messageId));
    return next;
  }

  requestPacket(topic: string, payload: string, messageId: number): Buffer {
    return generate({
      cmd: 'publish',
      topic,
      payload,
      qos: 1,
      messageId,
      dup: false,
      retain: false,
    });
  }

  end(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let data: Buffer = chunk;
    while (data.length > 0) {
      if (this.bodyLeft > 0 && this.current) {
        const take = Math.min(this.bodyLeft, data.length);
        this.current.hash.update(data.subarray(0, take));
        this.current.bytes += take;
        this.bodyLeft -= take;
        data = data.subarray(take);
        if (this.bodyLeft === 0) this.publishDone();
        continue;
      }
      this.header = this.header.length === 0 ? data : Buffer.concat([this.header, data]);
      const fixed = fixedHeader(this.header);
      if (!fixed) return;
      if (fixed.type === 3) {
        const qos = ((this.header[0] ?? 0) >> 1) & 3;
        const start = fixed.headerLength;
        if (this.header.length < start + 2) return;
        const topicLength = this.header.readUInt16BE(start);
        const payloadStart = start + 2 + topicLength + (qos > 0 ? 2 : 0);
        if (this.header.length < payloadStart) return;
        const topic = this.header.toString('utf8', start + 2, start + 2 + topicLength);
        this.current = { topic, bytes: 0, hash: crypto.createHash('sha256') };
        this.bodyLeft = fixed.remaining - (payloadStart - fixed.headerLength);
        data = this.header.subarray(payloadStart);
        this.header = Buffer.alloc(0);
        if (this.bodyLeft === 0) this.publishDone();
        continue;
      }
      const total = fixed.headerLength + fixed.remaining;
      if (this.header.length < total) return;
      if (fixed.type === 2) this.connack?.();
      data = this.header.subarray(total);
      this.header = Buffer.alloc(0);
    }
  }

  private publishDone(): void {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    this.waiting.shift()?.({
      topic: current.topic,
      bytes: current.bytes,
      sha256: current.hash.digest('hex'),
    });
  }
}
