/**
 * Wire-level flows seen through a raw socket and mqtt-packet's parser: packet order, the QoS 1
 * window, inbound QoS 2, keep-alive, malformed and oversize input, and MQTT 5 limits.
 */
import type { IPublishPacket } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';

import { delay, waitFor } from '../support/wait';
import { RawClient } from './mqtt-endpoint-helpers';
import { endpointScopePerTest } from './mqtt-endpoint-scope';

const { start, client, raw, raws } = endpointScopePerTest();

function publishPacket(
  topic: string,
  payload: string | Buffer,
  qos: 0 | 1 | 2,
  messageId?: number,
) {
  return {
    cmd: 'publish' as const,
    topic,
    payload: Buffer.from(payload),
    qos,
    dup: false,
    retain: false,
    ...(messageId === undefined ? {} : { messageId }),
  };
}

function subscribePacket(topic: string, qos: 0 | 1 | 2, messageId = 1) {
  return { cmd: 'subscribe' as const, messageId, subscriptions: [{ topic, qos }] };
}

function sequenceOf(packet: IPublishPacket): number {
  return Buffer.from(packet.payload).readUInt32BE(0);
}

describe.each([4, 5] as const)('order on v%i', (version) => {
  it('PUBACK (or PUBREC) reaches the device before the response made inside onPublish', async () => {
    const { port } = await start();
    const r = await raw(port, version);
    r.send(subscribePacket('echo/+/reply', 1));
    await r.next('suback');
    r.send(publishPacket('echo/order', 'first', 1, 10));
    r.send(publishPacket('echo/order', 'second', 2, 11));
    await waitFor(() => r.count('publish') === 2, { what: 'both responses' });
    expect(r.packets.map((p) => p.cmd)).toEqual([
      'connack',
      'suback',
      'puback',
      'publish',
      'pubrec',
      'publish',
    ]);
    const responses = r.packets.filter((p): p is IPublishPacket => p.cmd === 'publish');
    expect(responses.map((p) => p.payload.toString())).toEqual(['first', 'second']);
  });
});

describe('outgoing QoS 1 window', () => {
  it('never has more than maxInflight unacknowledged, and continues in order as PUBACKs come', async () => {
    const { port } = await start({ maxInflight: 5 });
    const r = await raw(port, 4);
    r.send(subscribePacket('flood/reply', 1));
    await r.next('suback');
    r.send(publishPacket('flood', JSON.stringify({ count: 20, size: 16 }), 0));
    await waitFor(() => r.count('publish') === 5, { what: 'first five' });
    await delay(300);
    expect(r.count('publish')).toBe(5); // withheld PUBACKs hold the rest back
    const first = r.packets.filter((p): p is IPublishPacket => p.cmd === 'publish');
    expect(first.every((p) => p.qos === 1)).toBe(true);
    expect(new Set(first.map((p) => p.messageId)).size).toBe(5);

    r.send({ cmd: 'puback', messageId: first[0]?.messageId ?? 0 });
    await waitFor(() => r.count('publish') === 6, { what: 'a sixth after one PUBACK' });
    await delay(100);
    expect(r.count('publish')).toBe(6);

    // Acknowledge everything as it arrives; the rest must follow, in order, never > 5 open.
    const acked = new Set<number>([first[0]?.messageId ?? 0]);
    let maxOpen = 0;
    for (let rounds = 0; rounds < 200 && r.count('publish') < 20; rounds++) {
      const published = r.packets.filter((p): p is IPublishPacket => p.cmd === 'publish');
      maxOpen = Math.max(maxOpen, published.length - acked.size);
      for (const p of published) {
        if (p.messageId !== undefined && !acked.has(p.messageId)) {
          acked.add(p.messageId);
          r.send({ cmd: 'puback', messageId: p.messageId });
        }
      }
      await delay(10);
    }
    const all = r.packets.filter((p): p is IPublishPacket => p.cmd === 'publish');
    expect(all.map(sequenceOf)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxOpen).toBeLessThanOrEqual(5);
  });

  it('honours a smaller MQTT 5 Receive Maximum', async () => {
    const { port } = await start({ maxInflight: 5 });
    const r = await raw(port, 5, { properties: { receiveMaximum: 2 } });
    r.send(publishPacket('flood', JSON.stringify({ count: 6, size: 8, qos: 1 }), 0));
    await waitFor(() => r.count('publish') === 2, { what: 'two' });
    await delay(200);
    expect(r.count('publish')).toBe(2);
  });
});

describe('inbound QoS 2', () => {
  it('PUBREC, dispatches once despite a re-sent PUBLISH, PUBCOMP on PUBREL', async () => {
    const { port, recorded } = await start();
    const r = await raw(port, 4);
    r.send(publishPacket('q2/topic', 'once', 2, 7));
    expect((await r.next('pubrec')).messageId).toBe(7);
    r.send({ ...publishPacket('q2/topic', 'once', 2, 7), dup: true });
    expect((await r.next('pubrec')).messageId).toBe(7);
    r.send({ cmd: 'pubrel', messageId: 7 });
    expect((await r.next('pubcomp')).messageId).toBe(7);
    expect(recorded.published.filter((p) => p.message.topic === 'q2/topic')).toHaveLength(1);
    expect(recorded.published[0]?.message.qos).toBe(2);
    // After PUBCOMP the id is free again: a new message with it is a new message.
    r.send(publishPacket('q2/topic', 'again', 2, 7));
    await r.next('pubrec');
    expect(recorded.published).toHaveLength(2);
  });

  it('v5 answers PUBREL for an unknown id with 0x92 and a rejected QoS 2 publish with its code', async () => {
    const { port, recorded } = await start();
    const r = await raw(port, 5);
    r.send({ cmd: 'pubrel', messageId: 99, reasonCode: 0 });
    const pubcomp = await r.next('pubcomp');
    expect(pubcomp.messageId).toBe(99);
    expect(pubcomp.reasonCode).toBe(0x92);
    r.send(publishPacket('bad', 'x', 2, 5));
    const pubrec = await r.next('pubrec');
    expect(pubrec.reasonCode).toBe(0x90);
    // A rejected message ends its flow: re-sending it dispatches it again.
    r.send(publishPacket('bad', 'x', 2, 5));
    await r.next('pubrec');
    expect(recorded.published.filter((p) => p.message.topic === 'bad')).toHaveLength(2);
  });

  it('works end to end with MQTT.js', async () => {
    const { port, recorded } = await start();
    const c = await client(port, { protocolVersion: 4 });
    await new Promise<void>((resolve, reject) =>
      c.publish('q2/mqttjs', 'exactly once', { qos: 2 }, (err) => (err ? reject(err) : resolve())),
    );
    expect(recorded.published.map((p) => p.message.payload.toString())).toEqual(['exactly once']);
  });
});

describe('keep-alive', () => {
  it('answers PINGREQ and keeps a pinging client', async () => {
    const { port } = await start();
    const r = await raw(port, 4, { keepalive: 1 });
    for (let i = 0; i < 5; i++) {
      await delay(500);
      r.send({ cmd: 'pingreq' });
    }
    await waitFor(() => r.count('pingresp') === 5, { what: 'five PINGRESPs' });
    expect(r.isOpen).toBe(true);
  });

  it.each([4, 5] as const)('closes a silent v%i client after 1.5 x keepalive', async (version) => {
    const { port, recorded } = await start();
    const r = await raw(port, version, { keepalive: 1 });
    const opened = Date.now();
    await Promise.race([r.closed, delay(5000)]);
    expect(r.isOpen).toBe(false);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(1400);
    if (version === 5) expect((await r.next('disconnect')).reasonCode).toBe(0x8d);
    expect(recorded.errors.map((e) => e.kind)).toContain('keepalive-timeout');
    await waitFor(() => recorded.disconnected.length === 1, { what: 'onDisconnected' });
    expect(recorded.disconnected[0]?.reason).toMatch(/keepalive/);
  });
});

describe('bad input', () => {
  it('malformed bytes close only that connection', async () => {
    const { port, recorded, endpoint } = await start();
    const good = await client(port, { protocolVersion: 4 });
    const bad = await raw(port, 4);
    // A PUBREL with reserved flags 0000 (must be 0010) is malformed per MQTT-2.2.2-2.
    bad.sendBytes(Buffer.from([0x60, 0x02, 0x00, 0x01]));
    await bad.closed;
    const beforeConnect = await RawClient.open(port, 4);
    raws.push(beforeConnect);
    beforeConnect.sendBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await beforeConnect.closed;
    expect(recorded.errors.filter((e) => e.kind === 'malformed-packet')).toHaveLength(2);
    expect(endpoint.sessions.size).toBe(1);
    const reply = new Promise<string>((resolve) =>
      good.once('message', (_topic, payload) => resolve(payload.toString())),
    );
    good.publish('echo/survivor', 'still here', { qos: 1 });
    expect(await reply).toBe('still here');
  });

  it('v5: a malformed packet gets DISCONNECT 0x81 first', async () => {
    const { port } = await start();
    const r = await raw(port, 5);
    r.sendBytes(Buffer.from([0x30, 0x03, 0x00, 0x05, 0x41])); // topic length beyond the packet
    await r.closed;
    expect((await r.next('disconnect')).reasonCode).toBe(0x81);
  });

  it('a publish to a topic name with wildcards is a protocol error', async () => {
    const { port, recorded } = await start();
    const r = await raw(port, 5);
    r.send(publishPacket('echo/+', 'x', 1, 1));
    await r.closed;
    expect((await r.next('disconnect')).reasonCode).toBe(0x90);
    expect(recorded.published).toHaveLength(0);
    expect(recorded.errors.map((e) => e.kind)).toContain('invalid-topic');
  });

  it('a client-to-server topic alias is refused (Topic Alias Maximum is 0)', async () => {
    const { port, recorded } = await start();
    const r = await raw(port, 5);
    r.send({ ...publishPacket('echo/alias', 'x', 1, 1), properties: { topicAlias: 1 } });
    await r.closed;
    expect((await r.next('disconnect')).reasonCode).toBe(0x94);
    expect(recorded.published).toHaveLength(0);
    expect(recorded.errors.map((e) => e.kind)).toContain('topic-alias');
  });

  it('refuses oversize packets: MQTT.js 3.1.1 is cut off, v5 gets DISCONNECT 0x95', async () => {
    const { port, recorded } = await start({ maxIncomingPacketBytes: 1024 });
    const c = await client(port, { protocolVersion: 4 });
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('v1/devices/me/telemetry', Buffer.alloc(2000, 1), { qos: 1 });
    await closed;

    const r = await raw(port, 5);
    r.send(publishPacket('v1/devices/me/telemetry', Buffer.alloc(900, 1), 0)); // fits
    r.send(publishPacket('v1/devices/me/telemetry', Buffer.alloc(5000, 2), 0));
    await r.closed;
    expect((await r.next('disconnect')).reasonCode).toBe(0x95);
    expect(recorded.published).toHaveLength(1);
    expect(recorded.errors.filter((e) => e.kind === 'packet-too-large')).toHaveLength(2);
  });

  it('stops buffering a huge packet at the limit instead of waiting for all of it', async () => {
    const { port, recorded } = await start({ maxIncomingPacketBytes: 64 * 1024 });
    const r = await raw(port, 4);
    // Announce a 100 MB PUBLISH and send only its first 200 KiB.
    r.sendBytes(Buffer.from([0x30, 0x80, 0xc2, 0xd7, 0x2f]));
    r.sendBytes(Buffer.alloc(200 * 1024));
    await Promise.race([r.closed, delay(5000)]);
    expect(r.isOpen).toBe(false);
    expect(recorded.errors.map((e) => e.kind)).toContain('packet-too-large');
  });

  it('does not send a v5 client more than its Maximum Packet Size', async () => {
    const { port, recorded } = await start();
    const r = await raw(port, 5, { properties: { maximumPacketSize: 200 } });
    r.send(publishPacket('echo/big', Buffer.alloc(500, 7), 1, 1));
    r.send(publishPacket('echo/small', 'fits', 1, 2));
    const reply = await r.next('publish');
    expect(reply.topic).toBe('echo/small/reply');
    await delay(100);
    expect(r.count('publish')).toBe(1);
    expect(
      recorded.errors.find((e) => e.kind === 'packet-too-large-for-client')?.message,
    ).toContain('echo/big/reply');
    expect(r.isOpen).toBe(true);
  });
});
