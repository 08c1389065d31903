import dgram from 'node:dgram';
import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { closedAfterEach } from '../support/closed-after-each';
import { startStationFixture } from '../support/station-fixture';

// The site network switch refused because another program holds the port of one device
// listener on another address: the message names that listener, and everything stays where it
// was. On Linux 127.0.0.2 and 127.0.0.1 may share a port, but 0.0.0.0 overlaps with both.
const linux = process.platform === 'linux';
const startFixture = closedAfterEach(startStationFixture);

function holdTcp(host: string, port: number): Promise<() => Promise<void>> {
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve(() => new Promise<void>((done) => server.close(() => done()))),
    );
  });
}

function holdUdp(host: string, port: number): Promise<() => Promise<void>> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () =>
      resolve(() => new Promise<void>((done) => socket.close(() => done()))),
    );
  });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => new Error('expected a refusal'),
    (e: unknown) => e,
  );
  expect(error).toMatchObject({ code: 'CONFLICT' });
  return (error as Error).message;
}

describe.skipIf(!linux)('a device port taken elsewhere when the switch moves', () => {
  it('names the HTTP device API and a web server, not an MQTT broker', async () => {
    const fx = await startFixture({ httpDevicePort: 0, coapPort: 0 });
    const { port } = fx.station.httpDeviceAddress();
    const release = await holdTcp('127.0.0.2', port);
    try {
      expect(await refusal(fx.station.api['station.setSiteNetwork']({ enabled: true }))).toBe(
        `Cannot serve the site network: port ${port} of the HTTP device API is already used ` +
          'on another address of this computer (another station, or a web server?). Nothing ' +
          `changed: devices still connect to 127.0.0.1:${port} as before.`,
      );
    } finally {
      await release();
    }
    expect(fx.station.mqttAddress().host).toBe('127.0.0.1');
    expect(fx.station.httpDeviceAddress()).toEqual({ host: '127.0.0.1', port });
  });

  it('names the CoAP device API and another CoAP server', async () => {
    const fx = await startFixture({ httpDevicePort: 0, coapPort: 0 });
    const { port } = fx.station.coapAddress();
    const release = await holdUdp('127.0.0.2', port);
    try {
      expect(await refusal(fx.station.api['station.setSiteNetwork']({ enabled: true }))).toBe(
        `Cannot serve the site network: port ${port} of the CoAP device API is already used ` +
          'on another address of this computer (another station, or another CoAP server?). ' +
          `Nothing changed: devices still connect to 127.0.0.1:${port} as before.`,
      );
    } finally {
      await release();
    }
    expect(fx.station.coapAddress()).toEqual({ host: '127.0.0.1', port });
    expect(fx.station.httpDeviceAddress().host).toBe('127.0.0.1');
  });
});
