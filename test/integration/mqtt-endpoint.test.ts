/**
 * The MQTT endpoint against real MQTT.js clients (3.1, 3.1.1 and 5) and raw sockets:
 * CONNECT/CONNACK, SUBSCRIBE, PUBACK reason codes, response QoS, isolation, shutdown, TLS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { ErrorWithReasonCode, MqttClient } from 'mqtt';
import type { IPublishPacket } from 'mqtt-packet';
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';

import { MqttEndpoint } from '../../electron/core/mqtt/mqtt-endpoint';
import { haveOpenssl, makeSelfSignedCert } from '../support/self-signed-cert';
import { delay, waitFor } from '../support/wait';
import {
  connectClient,
  connectClientWithConnack,
  endClient,
  GOOD_TOKEN,
  RawClient,
  type Recorded,
  TEST_FILTERS,
  type TestDevice,
  testHandlers,
} from './mqtt-endpoint-helpers';
import { endpointScopePerTest } from './mqtt-endpoint-scope';

const { start, client, raw, clients, raws } = endpointScopePerTest();

function subscribe(c: MqttClient, filters: string[], qos: 0 | 1 | 2): Promise<number[]> {
  return new Promise((resolve) =>
    c.subscribe(filters, { qos }, (_err, _subs, packet) =>
      resolve((packet as { granted: number[] } | undefined)?.granted ?? []),
    ),
  );
}

function publish(
  c: MqttClient,
  topic: string,
  payload: string | Buffer,
  qos: 0 | 1 | 2,
): Promise<ErrorWithReasonCode | Error | undefined> {
  // MQTT.js reports success as null or undefined depending on the path; normalise.
  return new Promise((resolve) =>
    c.publish(topic, payload, { qos }, (err) => resolve(err ?? undefined)),
  );
}

function nextMessage(c: MqttClient, timeoutMs = 5000): Promise<IPublishPacket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
    c.once('message', (_topic, _payload, packet) => {
      clearTimeout(timer);
      resolve(packet);
    });
  });
}

function refusalOf(port: number, options: Parameters<typeof connectClient>[1]) {
  return connectClient(port, options).then(
    (c) => {
      clients.push(c);
      throw new Error('connection was accepted');
    },
    (err: Error & { code?: number }) => err.code,
  );
}

describe.each([
  { version: 4 as const, badToken: 5, name: 'MQTT 3.1.1' },
  { version: 5 as const, badToken: 0x86, name: 'MQTT 5' },
])('CONNECT on $name', ({ version, badToken }) => {
  it('accepts a known token and tells the API layer who connected', async () => {
    const { port, recorded, endpoint } = await start();
    await client(port, { protocolVersion: version, clientId: `dev-${version}` });
    await waitFor(() => recorded.connected.length === 1, { what: 'onConnected' });
    const session = recorded.connected[0];
    expect(session?.clientId).toBe(`dev-${version}`);
    expect(session?.protocolVersion).toBe(version);
    expect(session?.principal).toEqual({ token: GOOD_TOKEN, clientId: `dev-${version}` });
    expect(session?.remoteAddress).toBe('127.0.0.1');
    expect([...endpoint.sessions]).toEqual([session]);
  });

  it(`refuses an unknown or missing token with ${badToken}`, async () => {
    const { port, recorded, endpoint } = await start();
    expect(await refusalOf(port, { protocolVersion: version, username: 'wrong' })).toBe(badToken);
    expect(await refusalOf(port, { protocolVersion: version, username: undefined })).toBe(badToken);
    // The refusal is authenticate()'s decision: it records why; the endpoint adds nothing.
    expect(recorded.errors).toEqual([]);
    expect(recorded.connected).toHaveLength(0);
    expect(endpoint.sessions.size).toBe(0);
  });
});

describe('CONNECT details', () => {
  it('accepts MQTT 3.1 (MQIsdp) clients', async () => {
    const { port } = await start();
    const c = await client(port, { protocolVersion: 3, protocolId: 'MQIsdp', clientId: 'old' });
    await subscribe(c, ['echo/+/reply'], 1);
    const reply = nextMessage(c);
    await publish(c, 'echo/v3', 'hello 3.1', 1);
    expect((await reply).payload.toString()).toBe('hello 3.1');
  });

  it('announces the MQTT 5 limits in CONNACK', async () => {
    const { port } = await start({ maxIncomingPacketBytes: 4096 });
    const { client: c, connack } = await connectClientWithConnack(port, { protocolVersion: 5 });
    clients.push(c);
    expect(connack.sessionPresent).toBe(false);
    expect(connack.properties).toMatchObject({
      maximumQoS: 1,
      retainAvailable: false,
      wildcardSubscriptionAvailable: true,
      sharedSubscriptionAvailable: false,
      topicAliasMaximum: 0,
      maximumPacketSize: 4096,
    });
  });

  it('keeps no session state: sessionPresent is false even for clean=false', async () => {
    const { port } = await start();
    for (const version of [4, 5] as const) {
      const first = await connectClientWithConnack(port, {
        protocolVersion: version,
        clean: false,
        clientId: `persistent-${version}`,
        ...(version === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
      });
      await endClient(first.client);
      const second = await connectClientWithConnack(port, {
        protocolVersion: version,
        clean: false,
        clientId: `persistent-${version}`,
      });
      clients.push(second.client);
      expect(second.connack.sessionPresent).toBe(false);
    }
  });

  it('assigns a client id to an empty one (v5 tells the client), refuses it for 3.1.1 non-clean', async () => {
    const { port, recorded } = await start();
    const { client: c, connack } = await connectClientWithConnack(port, {
      protocolVersion: 5,
      clientId: '',
    });
    clients.push(c);
    const assigned = connack.properties?.assignedClientIdentifier;
    expect(assigned).toMatch(/^auto-/);
    await waitFor(() => recorded.connected.length === 1, { what: 'onConnected' });
    expect(recorded.connected[0]?.clientId).toBe(assigned);

    const r = await RawClient.open(port, 4);
    raws.push(r);
    // mqtt-packet will not even encode this, so clear the clean-session flag by hand.
    const connect = generate({ cmd: 'connect', protocolVersion: 4, clientId: '', keepalive: 0 });
    connect[9] = 0x00; // connect flags after the fixed header, "MQTT" and the level byte
    r.sendBytes(connect);
    expect((await r.next('connack')).returnCode).toBe(2);
    await r.closed;
  });

  it('answers an unsupported protocol version with CONNACK 1 and closes', async () => {
    const { port, recorded } = await start();
    const r = await RawClient.open(port, 4);
    raws.push(r);
    const connect = generate({ cmd: 'connect', protocolVersion: 4, clientId: 'v6', keepalive: 0 });
    connect[8] = 6; // protocol level byte after the fixed header and "MQTT"
    r.sendBytes(connect);
    expect((await r.next('connack')).returnCode).toBe(1);
    await r.closed;
    expect(recorded.errors.map((e) => e.kind)).toContain('unsupported-protocol-version');
  });

  it('closes a connection whose first packet is not CONNECT, and one that sends CONNECT twice', async () => {
    const { port, recorded } = await start();
    const first = await RawClient.open(port, 4);
    raws.push(first);
    first.send({ cmd: 'pingreq' });
    await first.closed;
    expect(first.count('pingresp')).toBe(0);

    const twice = await raw(port, 4);
    twice.send({ cmd: 'connect', protocolVersion: 4, clientId: 'again', keepalive: 0 });
    await twice.closed;
    expect(recorded.errors.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['first-packet-not-connect', 'second-connect']),
    );
    await waitFor(() => recorded.disconnected.length === 1, { what: 'onDisconnected' });
  });

  it('closes a connection that never sends CONNECT', async () => {
    const { port, recorded } = await start({ connectTimeoutMs: 200 });
    const r = await RawClient.open(port, 4);
    raws.push(r);
    await r.closed;
    expect(recorded.errors.map((e) => e.kind)).toEqual(['connect-timeout']);
  });

  it('handles packets pipelined behind CONNECT in order once authenticated', async () => {
    const { port } = await start();
    const r = await RawClient.open(port, 4);
    raws.push(r);
    const opts = { protocolVersion: 4 };
    r.sendBytes(
      Buffer.concat([
        generate({ cmd: 'connect', clientId: 'pipe', username: GOOD_TOKEN, keepalive: 0 }, opts),
        generate(
          { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'echo/+/reply', qos: 1 }] },
          opts,
        ),
        generate(
          {
            cmd: 'publish',
            topic: 'echo/p',
            payload: Buffer.from('piped'),
            qos: 1,
            messageId: 2,
            dup: false,
            retain: false,
          },
          opts,
        ),
      ]),
    );
    const reply = await r.next('publish');
    expect(reply.payload.toString()).toBe('piped');
    expect(reply.qos).toBe(1);
    expect(r.packets.map((p) => p.cmd)).toEqual(['connack', 'suback', 'puback', 'publish']);
  });

  it('treats a throwing authenticate() as server unavailable', async () => {
    const recorded: Recorded = { published: [], errors: [], connected: [], disconnected: [] };
    const endpoint = new MqttEndpoint<TestDevice>({
      host: '127.0.0.1',
      port: 0,
      subscribableFilters: TEST_FILTERS,
      handlers: {
        ...testHandlers(recorded),
        authenticate: () => Promise.reject(new Error('database is locked')),
      },
    });
    const { port } = await endpoint.listen();
    try {
      expect(await refusalOf(port, { protocolVersion: 4 })).toBe(3);
      expect(await refusalOf(port, { protocolVersion: 5 })).toBe(0x88);
      expect(recorded.errors[0]).toMatchObject({ kind: 'auth-error' });
      expect(recorded.errors[0]?.message).toContain('database is locked');
    } finally {
      await endpoint.close();
    }
  });
});

describe.each([
  { version: 4 as const, refused: 0x80 },
  { version: 5 as const, refused: 0x8f },
])('SUBSCRIBE on v$version', ({ version, refused }) => {
  it('grants offered filters at min(QoS, 1) and refuses the rest, keeping the connection', async () => {
    const { port, recorded } = await start();
    const c = await client(port, { protocolVersion: version });
    expect(await subscribe(c, ['echo/+/reply', 'v1/devices/me/attributes'], 2)).toEqual([1, 1]);
    expect(await subscribe(c, ['notify/+'], 0)).toEqual([0]);
    expect(await subscribe(c, ['flood/reply', 'not/offered', '#'], 1)).toEqual([
      1,
      refused,
      refused,
    ]);
    expect(recorded.errors.filter((e) => e.kind === 'subscription-refused')).toHaveLength(2);
    // Still connected and working.
    const reply = nextMessage(c);
    await publish(c, 'echo/still', 'alive', 1);
    expect((await reply).payload.toString()).toBe('alive');
    const session = recorded.connected[0];
    expect(session?.isSubscribed('echo/abc/reply')).toBe(true);
    expect(session?.isSubscribed('not/offered')).toBe(false);
  });
});

describe('UNSUBSCRIBE', () => {
  it('answers with v5 reason codes and lowers the response QoS', async () => {
    const { port, recorded } = await start();
    const r = await raw(port, 5);
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'echo/+/reply', qos: 1 }] });
    await r.next('suback');
    r.send({
      cmd: 'unsubscribe',
      messageId: 2,
      unsubscriptions: ['echo/+/reply', 'never/subscribed'],
    });
    const unsuback = await r.next('unsuback');
    expect(unsuback.messageId).toBe(2);
    expect(unsuback.granted).toEqual([0x00, 0x11]);
    expect(recorded.connected[0]?.isSubscribed('echo/x/reply')).toBe(false);
    r.send({
      cmd: 'publish',
      topic: 'echo/u',
      payload: Buffer.from('u'),
      qos: 0,
      dup: false,
      retain: false,
    });
    expect((await r.next('publish')).qos).toBe(0);
  });
});

describe('PUBLISH from a device', () => {
  it('MQTT 5 PUBACK carries the handler reason code', async () => {
    const { port, recorded } = await start();
    const c = await client(port, { protocolVersion: 5 });
    expect(await publish(c, 'v1/devices/me/telemetry', '{"a":1}', 1)).toBeUndefined();
    const bad = (await publish(c, 'bad', 'x', 1)) as ErrorWithReasonCode;
    expect(bad.code).toBe(0x90);
    const thrown = (await publish(c, 'throw', 'x', 1)) as ErrorWithReasonCode;
    expect(thrown.code).toBe(0x80);
    // The handler's own rejection (0x90) is not reported again; a throwing handler is.
    expect(recorded.errors.map((e) => e.kind)).toEqual(['handler-error']);
    // The connection stays.
    expect(await publish(c, 'v1/devices/me/telemetry', '{"a":2}', 1)).toBeUndefined();
    expect(recorded.published.map((p) => p.message.topic)).toEqual([
      'v1/devices/me/telemetry',
      'bad',
      'throw',
      'v1/devices/me/telemetry',
    ]);
    expect(recorded.published[0]?.message).toMatchObject({ qos: 1, retain: false });
    expect(recorded.published[0]?.message.payload.toString()).toBe('{"a":1}');
  });

  it('MQTT 3.1.1 gets a plain PUBACK for a rejected publish', async () => {
    const { port, recorded } = await start();
    const r = await raw(port, 4);
    r.send({
      cmd: 'publish',
      topic: 'bad',
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 3,
      dup: false,
      retain: false,
    });
    const puback = await r.next('puback');
    expect(puback.messageId).toBe(3);
    expect(puback.length).toBe(2); // no reason code byte on 3.1.1
    expect(recorded.published.map((p) => p.message.topic)).toEqual(['bad']);
    expect(recorded.errors).toEqual([]);
  });

  it('passes QoS 0 and retained publishes to the handler (retain is not stored)', async () => {
    const { port, recorded } = await start();
    const c = await client(port, { protocolVersion: 4 });
    c.publish('v1/devices/me/attributes', '{"x":1}', { qos: 0, retain: true });
    await waitFor(() => recorded.published.length === 1, { what: 'handler call' });
    expect(recorded.published[0]?.message).toMatchObject({ qos: 0, retain: true });
    const other = await client(port, { protocolVersion: 4 });
    await subscribe(other, ['v1/devices/me/attributes'], 1);
    await delay(100);
    expect(recorded.published).toHaveLength(1);
  });
});

describe.each([4, 5] as const)('responses on v%i', (version) => {
  it('follow the subscription QoS, and are delivered at QoS 0 without a matching subscription', async () => {
    const { port } = await start();
    const subscribed = await client(port, { protocolVersion: version });
    expect(await subscribe(subscribed, ['echo/+/reply'], 1)).toEqual([1]);
    let reply = nextMessage(subscribed);
    await publish(subscribed, 'echo/q1', 'one', 0);
    expect((await reply).qos).toBe(1);

    const unsubscribed = await client(port, { protocolVersion: version });
    reply = nextMessage(unsubscribed);
    await publish(unsubscribed, 'echo/q0', 'zero', 1);
    const packet = await reply;
    expect(packet.topic).toBe('echo/q0/reply');
    expect(packet.qos).toBe(0);
    expect(packet.payload.toString()).toBe('zero');
  });

  it('go to the requesting session only', async () => {
    const { port } = await start();
    const a = await client(port, { protocolVersion: version, clientId: 'a' });
    const b = await client(port, { protocolVersion: version, clientId: 'b' });
    await subscribe(a, ['echo/+/reply', 'flood/reply'], 1);
    await subscribe(b, ['echo/+/reply', 'flood/reply'], 1);
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    a.on('message', (topic, payload) => seenByA.push(`${topic}=${payload.toString()}`));
    b.on('message', (topic, payload) => seenByB.push(`${topic}=${payload.toString()}`));
    await Promise.all(Array.from({ length: 20 }, (_, i) => publish(a, 'echo/same', `a${i}`, 1)));
    await publish(a, 'flood', JSON.stringify({ count: 5, size: 8 }), 1);
    await publish(b, 'echo/same', 'b-only', 1);
    await waitFor(() => seenByA.length === 25 && seenByB.length === 1, { what: 'all replies' });
    await delay(100);
    expect(seenByA.filter((m) => m.startsWith('echo/same/reply=a'))).toHaveLength(20);
    expect(seenByA.some((m) => m.includes('b-only'))).toBe(false);
    expect(seenByB).toEqual(['echo/same/reply=b-only']);
  });
});

describe('MqttSession.publish', () => {
  it('uses an explicit QoS, refuses topic filters, and is a no-op once the session is gone', async () => {
    const { port, recorded } = await start();
    const c = await client(port, { protocolVersion: 4 });
    await waitFor(() => recorded.connected.length === 1, { what: 'onConnected' });
    const session = recorded.connected[0];
    if (!session) throw new Error('no session');
    const message = nextMessage(c);
    session.publish('notify/explicit', 'q1', { qos: 1 });
    expect((await message).qos).toBe(1);
    expect(() => session.publish('notify/+', 'x')).toThrow(/topic/);
    expect(() => session.publish('', 'x')).toThrow(/topic/);
    await endClient(c);
    await waitFor(() => recorded.disconnected.length === 1, { what: 'onDisconnected' });
    expect(session.isOpen).toBe(false);
    session.publish('notify/late', 'nobody listens');
    expect(session.queuedBytes).toBe(0);
  });

  it('close() ends one session with a v5 DISCONNECT reason, others go on', async () => {
    const { port, recorded, endpoint } = await start();
    const r = await raw(port, 5, { clientId: 'victim' });
    const other = await client(port, { protocolVersion: 5, clientId: 'bystander' });
    await waitFor(() => recorded.connected.length === 2, { what: 'two sessions' });
    recorded.connected.find((s) => s.clientId === 'victim')?.close('device deleted', 0x98);
    expect((await r.next('disconnect')).reasonCode).toBe(0x98);
    await r.closed;
    await waitFor(() => recorded.disconnected.length === 1, { what: 'onDisconnected' });
    expect(recorded.disconnected[0]).toEqual({ clientId: 'victim', reason: 'device deleted' });
    expect([...endpoint.sessions].map((s) => s.clientId)).toEqual(['bystander']);
    const reply = nextMessage(other);
    await publish(other, 'echo/ok', 'ok', 1);
    expect((await reply).payload.toString()).toBe('ok');
  });
});

describe('MqttEndpoint.close', () => {
  it('disconnects v5 clients with 0x8B, closes everyone and stops listening', async () => {
    const { port, recorded, endpoint } = await start();
    const v5 = await client(port, { protocolVersion: 5, clientId: 'five' });
    const v4 = await client(port, { protocolVersion: 4, clientId: 'four' });
    const pending = await RawClient.open(port, 4); // connected but no CONNECT yet
    raws.push(pending);
    const disconnect = new Promise<number | undefined>((resolve) =>
      v5.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    const v4Closed = new Promise<void>((resolve) => v4.once('close', () => resolve()));
    await waitFor(() => endpoint.sessions.size === 2, { what: 'two sessions' });
    await endpoint.close();
    expect(await disconnect).toBe(0x8b);
    await v4Closed;
    await pending.closed;
    expect(endpoint.sessions.size).toBe(0);
    expect(recorded.disconnected.map((d) => d.clientId).sort()).toEqual(['five', 'four']);
    expect(recorded.disconnected.every((d) => d.reason === 'server shutting down')).toBe(true);
    await expect(RawClient.open(port, 4)).rejects.toThrow(/ECONNREFUSED/);
    await endpoint.close(); // idempotent
  });

  it('reports a port already in use', async () => {
    const { port } = await start();
    const second = new MqttEndpoint<TestDevice>({
      host: '127.0.0.1',
      port,
      subscribableFilters: [],
      handlers: testHandlers({ published: [], errors: [], connected: [], disconnected: [] }),
    });
    await expect(second.listen()).rejects.toThrow(/EADDRINUSE/);
    await second.close();
  });

  it('rejects nonsense options with a clear error', () => {
    const handlers = testHandlers({ published: [], errors: [], connected: [], disconnected: [] });
    const base = { host: '127.0.0.1', port: 0, subscribableFilters: [], handlers };
    expect(() => new MqttEndpoint({ ...base, port: 70_000 })).toThrow(/port/);
    expect(() => new MqttEndpoint({ ...base, maxInflight: 0 })).toThrow(/maxInflight/);
    expect(() => new MqttEndpoint({ ...base, maxQueuedBytes: -1 })).toThrow(/maxQueuedBytes/);
  });
});

describe.skipIf(!haveOpenssl)('TLS', () => {
  it('serves MQTT over TLS with the given key and certificate', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-tls-'));
    try {
      const { port } = await start({ tls: makeSelfSignedCert(dir) });
      const c = await client(port, {
        protocol: 'mqtts',
        protocolVersion: 5,
        rejectUnauthorized: false,
      });
      await subscribe(c, ['echo/+/reply'], 1);
      const reply = nextMessage(c);
      await publish(c, 'echo/tls', 'secret', 1);
      expect((await reply).payload.toString()).toBe('secret');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
