import dgram from 'node:dgram';

import { generate, parse } from 'coap-packet';
import { describe, expect, it } from 'vitest';

import { ApiError } from '../../shared/api/errors';
import { closedAfterEach } from '../support/closed-after-each';
import { RawCoap } from '../support/coap-clients';
import { startStationFixture } from '../support/station-fixture';
import { deviceWithFirmware } from './device-api-helpers';

// The Station page switch moves the CoAP listener with the MQTT one (on Linux 127.0.0.2
// reaches a 0.0.0.0 bind but not a 127.0.0.1 one, which proves where each listens).
const linux = process.platform === 'linux';
const startFixture = closedAfterEach(startStationFixture);

/** One GET from `host`; resolves with the answer's code, or undefined when none comes. */
function coapAnswer(host: string, port: number, path: string): Promise<string | undefined> {
  const socket = dgram.createSocket('udp4');
  const datagram = generate({
    code: 'GET',
    confirmable: true,
    messageId: 7,
    options: path
      .split('/')
      .filter(Boolean)
      .map((segment) => ({ name: 'Uri-Path' as const, value: Buffer.from(segment) })),
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(undefined);
    }, 1000);
    socket.on('message', (message) => {
      clearTimeout(timer);
      socket.close();
      resolve(parse(message).code);
    });
    socket.send(datagram, port, host);
  });
}

describe.skipIf(!linux)('the site network switch and CoAP', () => {
  it('moves CoAP with MQTT, ending observations with 5.03', async () => {
    const fx = await startFixture({ coapPort: 0 });
    const sc = await deviceWithFirmware(fx, { size: 100 });
    const { port } = fx.station.coapAddress();
    const observer = await RawCoap.open(port);
    try {
      observer.send(
        observer.datagram({
          method: 'GET',
          path: `/api/v1/${sc.token}/attributes`,
          options: [{ name: 'Observe', value: Buffer.alloc(0) }],
        }),
      );
      await observer.next((p) => p.code === '2.05');
      expect(await coapAnswer('127.0.0.2', port, `/fw/${sc.token}`)).toBeUndefined();

      const on = await fx.station.api['station.setSiteNetwork']({ enabled: true });
      const coapEndpoint = on.deviceEndpoints.find((e) => e.transport === 'coap');
      expect(on.deviceEndpoints.map((e) => e.transport)).toEqual(['mqtt', 'http', 'coap']);
      expect(coapEndpoint).toEqual(
        expect.objectContaining({ host: '0.0.0.0', port, url: `coap://0.0.0.0:${port}` }),
      );
      expect(coapEndpoint?.lanAddresses.every((a) => a.url.startsWith('coap://'))).toBe(true);
      expect(await coapAnswer('127.0.0.2', port, `/fw/${sc.token}`)).toBe('2.05');
      // The observation lived on the old socket: the device is told to come again.
      const ended = await observer.next((p) => p.code === '5.03');
      expect(ended.options.some((o) => o.name === 'Observe')).toBe(false);
      expect(fx.station.coapStats().observations).toBe(0);

      const off = await fx.station.api['station.setSiteNetwork']({ enabled: false });
      expect(off.deviceEndpoints.find((e) => e.transport === 'coap')).toMatchObject({
        host: '127.0.0.1',
        port,
        lanAddresses: [],
      });
      expect(await coapAnswer('127.0.0.2', port, `/fw/${sc.token}`)).toBeUndefined();
      expect(await coapAnswer('127.0.0.1', port, `/fw/${sc.token}`)).toBe('2.05');
    } finally {
      await observer.close();
    }
  });

  it('moves neither when the CoAP port is taken elsewhere', async () => {
    const fx = await startFixture({ coapPort: 0 });
    const sc = await deviceWithFirmware(fx, { size: 100 });
    const mqttPort = fx.station.mqttAddress().port;
    const { port } = fx.station.coapAddress();
    const blocker = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(port, '127.0.0.2', () => resolve()));
    try {
      const error = await fx.station.api['station.setSiteNetwork']({ enabled: true }).then(
        () => new Error('expected a refusal'),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe('CONFLICT');
      // MQTT had moved first and went back: devices of both transports stay where they were.
      expect(fx.station.mqttAddress()).toEqual({ host: '127.0.0.1', port: mqttPort });
      expect(fx.station.coapAddress()).toEqual({ host: '127.0.0.1', port });
      expect(await coapAnswer('127.0.0.1', port, `/fw/${sc.token}`)).toBe('2.05');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
