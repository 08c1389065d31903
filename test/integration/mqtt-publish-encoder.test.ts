/**
 * The hand-written PUBLISH header must produce exactly what mqtt-packet produces, for every
 * remaining-length width, QoS and protocol version; the in-flight window must wrap ids safely.
 */
import { generate, type Packet, parser as createParser } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';

import { InflightWindow, OutboundQueue } from '../../electron/core/mqtt/outbound-queue';
import { encodePublishHeader, publishPacketSize } from '../../electron/core/mqtt/publish-encoder';

const payloadSizes = [0, 1, 100, 127 - 9, 200, 16_383, 16_384 + 5, 300_000, 2_097_152 + 1];

describe('encodePublishHeader', () => {
  for (const protocolVersion of [4, 5] as const) {
    for (const qos of [0, 1] as const) {
      it(`matches mqtt-packet for v${protocolVersion} QoS ${qos} at every length width`, () => {
        for (const size of payloadSizes) {
          const payload = Buffer.alloc(size, size % 251);
          const topic = `v2/fw/response/${size}/chunk/7`;
          const messageId = qos === 1 ? (size % 65535) + 1 : undefined;
          const header = encodePublishHeader({
            topic,
            payloadLength: size,
            qos,
            messageId,
            protocolVersion,
          });
          const ours = Buffer.concat([header, payload]);
          const reference = generate(
            {
              cmd: 'publish',
              topic,
              payload,
              qos,
              dup: false,
              retain: false,
              ...(messageId === undefined ? {} : { messageId }),
            },
            { protocolVersion },
          );
          expect(ours.equals(reference), `size ${size}`).toBe(true);
          expect(publishPacketSize({ topic, payloadLength: size, qos, protocolVersion })).toBe(
            ours.length,
          );

          const parsed: Packet[] = [];
          const parser = createParser({ protocolVersion });
          parser.on('packet', (packet: Packet) => parsed.push(packet));
          parser.parse(ours);
          expect(parsed).toHaveLength(1);
          const packet = parsed[0];
          expect(packet?.cmd).toBe('publish');
          if (packet?.cmd === 'publish') {
            expect(packet.topic).toBe(topic);
            expect(Buffer.from(packet.payload).equals(payload)).toBe(true);
            expect(packet.qos).toBe(qos);
            if (qos === 1) expect(packet.messageId).toBe(messageId);
          }
        }
      });
    }
  }

  it('encodes multi-byte UTF-8 topics by byte length', () => {
    const topic = 'echo/ünïcødé/€';
    const header = encodePublishHeader({ topic, payloadLength: 3, qos: 0, protocolVersion: 4 });
    const reference = generate(
      { cmd: 'publish', topic, payload: Buffer.from('abc'), qos: 0, dup: false, retain: false },
      { protocolVersion: 4 },
    );
    expect(Buffer.concat([header, Buffer.from('abc')]).equals(reference)).toBe(true);
  });

  it('refuses what MQTT cannot carry', () => {
    expect(() =>
      encodePublishHeader({ topic: '', payloadLength: 0, qos: 0, protocolVersion: 4 }),
    ).toThrow(/topic/);
    expect(() =>
      encodePublishHeader({ topic: 't', payloadLength: 0, qos: 1, protocolVersion: 4 }),
    ).toThrow(/packet id/);
    expect(() =>
      encodePublishHeader({
        topic: 't',
        payloadLength: 268_435_455,
        qos: 0,
        protocolVersion: 4,
      }),
    ).toThrow(/exceeds/);
  });
});

describe('InflightWindow', () => {
  it('never hands out an id twice while in flight, wrapping past 65535', () => {
    const window = new InflightWindow(3);
    const first = window.acquire();
    expect(first).toBe(1);
    // Walk the counter round the id space while id 1 stays in flight.
    const bad: number[] = [];
    for (let i = 0; i < 70_000; i++) {
      const id = window.acquire();
      if (id === first || id < 1 || id > 65_535 || !window.release(id)) bad.push(id);
    }
    expect(bad).toEqual([]);
    expect(window.hasRoom()).toBe(true);
    window.acquire();
    window.acquire();
    expect(window.hasRoom()).toBe(false);
    expect(() => window.acquire()).toThrow(/full/);
    expect(window.release(first)).toBe(true);
    expect(window.release(first)).toBe(false);
  });
});

describe('OutboundQueue', () => {
  it('is FIFO and keeps its byte count through compaction', () => {
    const queue = new OutboundQueue();
    for (let i = 0; i < 5000; i++) {
      queue.push({ topic: `t/${i}`, payload: Buffer.alloc(1), qos: 0, bytes: 10 });
    }
    expect(queue.bytes).toBe(50_000);
    for (let i = 0; i < 4000; i++) expect(queue.shift()?.topic).toBe(`t/${i}`);
    expect(queue.length).toBe(1000);
    expect(queue.bytes).toBe(10_000);
    expect(queue.peek()?.topic).toBe('t/4000');
    queue.clear();
    expect(queue.shift()).toBeUndefined();
    expect(queue.bytes).toBe(0);
  });
});
