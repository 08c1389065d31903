import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeSelfSignedCert } from '../support/self-signed-cert';
import { nextMessage, startStationFixture, type StationFixture } from '../support/station-fixture';

// Serving the site network can use TLS (docs/device-protocol.md#connecting): a device connects with mqtts and gets the
// same API. The certificate is a throw-away self-signed one made with openssl.
describe('the station over TLS', () => {
  let dir: string;
  let fx: StationFixture;
  let token: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-tls-'));
    fx = await startStationFixture({ tls: makeSelfSignedCert(dir) });
    const profile = await fx.profile('CIM-168');
    token = (await fx.device('CIM-168-02-22-90', profile.id)).accessToken;
  });
  afterAll(async () => {
    await fx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers the device API to an mqtts client and reports mqtts in its status', async () => {
    const { port } = fx.station.mqttAddress();
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
      username: token,
      rejectUnauthorized: false,
      reconnectPeriod: 0,
    });
    try {
      await client.subscribeAsync('v1/devices/me/rpc/response/+');
      const answer = nextMessage(client, (t) => t === 'v1/devices/me/rpc/response/1');
      await client.publishAsync(
        'v1/devices/me/rpc/request/1',
        '{"method":"getSessionLimits","params":{}}',
        { qos: 1 },
      );
      expect(JSON.parse((await answer).payload.toString())).toMatchObject({
        maxPayloadSize: 524288,
      });
    } finally {
      await client.endAsync();
    }
    const status = await fx.station.api['station.status']({});
    expect(status.mqtt).toMatchObject({ tls: true, url: `mqtts://127.0.0.1:${port}` });
  });

  it('closes a plain (non-TLS) MQTT connection without answering it', async () => {
    const { port } = fx.station.mqttAddress();
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: 'plain',
        clean: true,
        keepalive: 30,
        username: token,
      }),
    );
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Whatever came back is a TLS alert at most, never an MQTT CONNACK (0x20).
    expect(received.every((chunk) => chunk[0] !== 0x20)).toBe(true);
  });
});
