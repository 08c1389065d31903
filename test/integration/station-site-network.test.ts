import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startStation, type Station, type StationOptions } from '../../electron/core/station';
import type { StationStatus } from '../../shared/api/entities';
import { ApiError } from '../../shared/api/errors';
import type { StationEvent } from '../../shared/api/events';
import { closedAfterEach } from '../support/closed-after-each';
import { haveOpenssl, makeSelfSignedCert } from '../support/self-signed-cert';
import { nextMessage, startStationFixture, type StationFixture } from '../support/station-fixture';

// The Station page switch "Serve the site network" (issue 3): the device API moves between
// 127.0.0.1 and 0.0.0.0 on the same port while the station runs, keeping every device session.
// Only loopback addresses are ever connected to: 127.0.0.1, and on Linux 127.0.0.2, which
// reaches a 0.0.0.0 listener but not a 127.0.0.1 one (so it proves which bind is real).
const linux = process.platform === 'linux';
const startFixture = closedAfterEach(startStationFixture);

/** This computer's IPv4 addresses outside loopback, as devices on the site network use them. */
function expectedLanAddresses(port: number): StationStatus['mqtt']['lanAddresses'] {
  return Object.entries(os.networkInterfaces()).flatMap(([name, infos]) =>
    (infos ?? [])
      .filter((info) => info.family === 'IPv4' && !info.internal)
      .map((info) => ({
        address: info.address,
        interface: name,
        url: `mqtt://${info.address}:${port}`,
      })),
  );
}

/** One device API round trip: the session is alive and served. */
async function answers(client: MqttClient, requestId: number): Promise<void> {
  expect(client.connected).toBe(true);
  const answer = nextMessage(client, (t) => t === `v1/devices/me/rpc/response/${requestId}`);
  const published = client.publishAsync(
    `v1/devices/me/rpc/request/${requestId}`,
    '{"method":"getSessionLimits","params":{}}',
    { qos: 1 },
  );
  // Bounded by the answer's timeout even if the PUBACK never comes.
  const [, response] = await Promise.all([published, answer]);
  expect(JSON.parse(response.payload.toString())).toMatchObject({
    maxPayloadSize: 524288,
  });
}

async function connectDevice(fx: StationFixture, token: string): Promise<MqttClient> {
  const client = await fx.connect(token);
  await client.subscribeAsync('v1/devices/me/rpc/response/+', { qos: 1 });
  return client;
}

/** Whether a TCP connection to host:port is accepted (refused: false). */
function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No answer from ${host}:${port} within 5 s`));
    }, 5_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ECONNREFUSED') resolve(false);
      else reject(error);
    });
  });
}

function listenOn(host: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('the site network switch', () => {
  it('keeps connected devices through on and off, and takes new ones after each move', async () => {
    const fx = await startFixture();
    const profile = await fx.profile('CIM-168');
    const tokens = await Promise.all(
      ['CIM-168-02-22-90', 'CIM-168-02-22-91', 'CIM-168-02-22-92'].map(
        async (name) => (await fx.device(name, profile.id)).accessToken,
      ),
    );
    const seen: StationEvent[] = [];
    const stop = fx.station.events.subscribe((event) => seen.push(event));
    const { port } = fx.station.mqttAddress();

    const before = await fx.station.api['station.status']({});
    expect(before.mqtt).toMatchObject({ host: '127.0.0.1', siteNetwork: false, lanAddresses: [] });
    expect(before.mqtt.configuredHost).toBeNull();
    const first = await connectDevice(fx, tokens[0]!);
    await answers(first, 1);

    const on = await fx.station.api['station.setSiteNetwork']({ enabled: true });
    expect(on.mqtt).toMatchObject({
      host: '0.0.0.0',
      port,
      url: `mqtt://0.0.0.0:${port}`,
      siteNetwork: true,
      lanAddresses: expectedLanAddresses(port),
    });
    expect(fx.station.mqttAddress()).toEqual({ host: '0.0.0.0', port });
    if (linux) expect(await tcpAccepts('127.0.0.2', port)).toBe(true);
    // Every open UI hears of it.
    const onEvent = seen.filter((e) => e.type === 'station.status').at(-1);
    expect(onEvent?.payload).toMatchObject({ mqtt: { host: '0.0.0.0', siteNetwork: true } });
    // The device connected before the move is still served; a new one connects.
    expect(first.connected).toBe(true);
    await answers(first, 2);
    const second = await connectDevice(fx, tokens[1]!);
    await answers(second, 1);

    const off = await fx.station.api['station.setSiteNetwork']({ enabled: false });
    expect(off.mqtt).toMatchObject({
      host: '127.0.0.1',
      port,
      siteNetwork: false,
      lanAddresses: [],
    });
    expect(fx.station.mqttAddress()).toEqual({ host: '127.0.0.1', port });
    if (linux) expect(await tcpAccepts('127.0.0.2', port)).toBe(false);
    const offEvent = seen.filter((e) => e.type === 'station.status').at(-1);
    expect(offEvent?.payload).toMatchObject({ mqtt: { host: '127.0.0.1', siteNetwork: false } });
    await answers(first, 3);
    await answers(second, 2);
    const third = await connectDevice(fx, tokens[2]!);
    await answers(third, 1);
    expect((await fx.station.api['station.status']({})).sessions).toBe(3);
    stop();
  });

  it('turning it on twice, or off while off, changes nothing and still answers the status', async () => {
    const fx = await startFixture();
    const { port } = fx.station.mqttAddress();
    const off = await fx.station.api['station.setSiteNetwork']({ enabled: false });
    expect(off.mqtt).toMatchObject({ host: '127.0.0.1', port, siteNetwork: false });
    await fx.station.api['station.setSiteNetwork']({ enabled: true });
    const again = await fx.station.api['station.setSiteNetwork']({ enabled: true });
    expect(again.mqtt).toMatchObject({ host: '0.0.0.0', port, siteNetwork: true });
  });

  it('serializes switches asked at the same time: the last one asked is where it ends', async () => {
    const fx = await startFixture();
    const profile = await fx.profile('CIM-168');
    const token = (await fx.device('CIM-168-02-22-90', profile.id)).accessToken;
    const { port } = fx.station.mqttAddress();
    const asked = [true, false, true, false, true];
    const results = await Promise.allSettled(
      asked.map((enabled) => fx.station.api['station.setSiteNetwork']({ enabled })),
    );
    expect(results.map((r) => r.status)).toEqual(asked.map(() => 'fulfilled'));
    expect(fx.station.mqttAddress()).toEqual({ host: '0.0.0.0', port });
    await answers(await connectDevice(fx, token), 1);
  });

  it.skipIf(!linux)(
    'refuses with the reason when the port is taken elsewhere, and keeps serving the old address',
    async () => {
      const fx = await startFixture();
      const profile = await fx.profile('CIM-168');
      const [a, b] = await Promise.all([
        fx.device('CIM-168-02-22-90', profile.id),
        fx.device('CIM-168-02-22-91', profile.id),
      ]);
      const { port } = fx.station.mqttAddress();
      const connected = await connectDevice(fx, a.accessToken);
      // Another program on 127.0.0.2 with the same port: 127.0.0.1 and 127.0.0.2 may share a
      // port, but 0.0.0.0 would overlap with it, so the kernel refuses the station's move.
      const blocker = await listenOn('127.0.0.2', port);
      try {
        const seen: StationEvent[] = [];
        const stop = fx.station.events.subscribe((event) => seen.push(event));
        const error = await rejection(fx.station.api['station.setSiteNetwork']({ enabled: true }));
        stop();
        expect(error.code).toBe('CONFLICT');
        expect(error.message).toBe(
          `Cannot serve the site network: port ${port} is already used on another address of ` +
            'this computer (another station, or an MQTT broker such as Mosquitto?). Nothing ' +
            `changed: devices still connect to 127.0.0.1:${port} as before.`,
        );
        // Still on its old address, for old and new devices alike.
        expect(fx.station.mqttAddress()).toEqual({ host: '127.0.0.1', port });
        const status = await fx.station.api['station.status']({});
        expect(status.mqtt).toMatchObject({ host: '127.0.0.1', siteNetwork: false });
        expect(seen.filter((e) => e.type === 'station.status').at(-1)?.payload).toMatchObject({
          mqtt: { host: '127.0.0.1', siteNetwork: false },
        });
        await answers(connected, 1);
        await answers(await connectDevice(fx, b.accessToken), 1);
      } finally {
        await closeServer(blocker);
      }
      // Once the other program is gone the switch works.
      const on = await fx.station.api['station.setSiteNetwork']({ enabled: true });
      expect(on.mqtt).toMatchObject({ host: '0.0.0.0', port, siteNetwork: true });
      await answers(connected, 2);
    },
  );
});

describe('the switch across restarts', () => {
  let dataDir: string;
  const running: Station[] = [];
  const start = async (options: Partial<StationOptions> = {}): Promise<Station> => {
    const station = await startStation({ mqttPort: 0, ...options, dataDir });
    running.push(station);
    return station;
  };
  const stopAll = async () => {
    for (const station of running.splice(0)) await station.close();
  };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-site-network-'));
  });
  afterEach(stopAll);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts as it was left: on, then off again', async () => {
    const first = await start();
    expect(first.mqttAddress().host).toBe('127.0.0.1');
    await first.api['station.setSiteNetwork']({ enabled: true });
    await stopAll();

    const second = await start();
    expect(second.mqttAddress().host).toBe('0.0.0.0');
    const status = await second.api['station.status']({});
    expect(status.mqtt).toMatchObject({ siteNetwork: true, configuredHost: null });
    await second.api['station.setSiteNetwork']({ enabled: false });
    await stopAll();

    const third = await start();
    expect(third.mqttAddress().host).toBe('127.0.0.1');
  });

  it('a host given at start wins over the saved choice, and does not erase it', async () => {
    const saver = await start();
    await saver.api['station.setSiteNetwork']({ enabled: true });
    await stopAll();

    const pinned = await start({ mqttHost: '127.0.0.1' });
    expect(pinned.mqttAddress().host).toBe('127.0.0.1');
    const status = await pinned.api['station.status']({});
    expect(status.mqtt).toMatchObject({ siteNetwork: false, configuredHost: '127.0.0.1' });
    await stopAll();

    // Given nothing, the saved "on" is still there.
    expect((await start()).mqttAddress().host).toBe('0.0.0.0');
  });

  it('a given loopback host is the "off" position of the switch', async () => {
    const station = await start({ mqttHost: 'localhost' });
    const { port } = station.mqttAddress();
    expect(station.mqttAddress().host).toBe('127.0.0.1');
    const on = await station.api['station.setSiteNetwork']({ enabled: true });
    expect(on.mqtt).toMatchObject({ host: '0.0.0.0', port, configuredHost: 'localhost' });
    const off = await station.api['station.setSiteNetwork']({ enabled: false });
    expect(off.mqtt).toMatchObject({ host: '127.0.0.1', port, siteNetwork: false });
  });
});

describe.skipIf(!haveOpenssl)('the switch on a TLS station', () => {
  let dir: string;
  let fx: StationFixture;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-site-tls-'));
    fx = await startStationFixture({ tls: makeSelfSignedCert(dir) });
  });
  afterAll(async () => {
    await fx?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stays TLS after moving: mqtts clients connect, plain MQTT gets no CONNACK', async () => {
    const profile = await fx.profile('CIM-168');
    const token = (await fx.device('CIM-168-02-22-90', profile.id)).accessToken;
    const { port } = fx.station.mqttAddress();
    const connectTls = async () => {
      const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
        username: token,
        rejectUnauthorized: false,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      });
      await client.subscribeAsync('v1/devices/me/rpc/response/+', { qos: 1 });
      return client;
    };
    const before = await connectTls();
    try {
      const on = await fx.station.api['station.setSiteNetwork']({ enabled: true });
      expect(on.mqtt).toMatchObject({ host: '0.0.0.0', tls: true, url: `mqtts://0.0.0.0:${port}` });
      expect(on.mqtt.lanAddresses.every((a) => a.url.startsWith('mqtts://'))).toBe(true);
      await answers(before, 1);
      const after = await connectTls();
      await answers(after, 1);
      await after.endAsync();
      expect(await plainConnectGetsConnack(port)).toBe(false);
    } finally {
      await before.endAsync();
    }
  });
});

/** A plain MQTT CONNECT to a TLS port: whatever comes back is never a CONNACK (0x20). */
async function plainConnectGetsConnack(port: number): Promise<boolean> {
  const socket = net.connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'plain',
      clean: true,
      keepalive: 30,
    }),
  );
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 10_000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return received.some((chunk) => chunk[0] === 0x20);
}
