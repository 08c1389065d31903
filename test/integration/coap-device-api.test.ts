import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { coapRequest, RawCoap } from '../support/coap-clients';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import {
  deviceWithFirmware,
  protocolErrors,
  type Scenario,
  telemetryHistory,
} from './device-api-helpers';

// docs/device-protocol.md#coap: requests as ThingsBoard's CoAP transport answers them.
describe('CoAP device API', () => {
  let fx: StationFixture;
  let sc: Scenario;
  let port: number;

  beforeEach(async () => {
    fx = await startStationFixture({ coapPort: 0 });
    sc = await deviceWithFirmware(fx, { size: 5000 });
    port = fx.station.coapAddress().port;
  });
  afterEach(async () => {
    await fx.close();
  });

  const post = (path: string, payload: string) =>
    coapRequest({ port, method: 'POST', pathname: path, payload });

  it('stores telemetry and client attributes (2.01, empty)', async () => {
    const telemetry = await post(`/api/v1/${sc.token}/telemetry`, '{"temperature":21.5}');
    expect(telemetry.code).toBe('2.01');
    expect(telemetry.payload.length).toBe(0);
    const attributes = await post(`/api/v1/${sc.token}/attributes`, '{"mode":"eco"}');
    expect(attributes.code).toBe('2.01');
    const history = telemetryHistory(fx, sc.deviceId, 'temperature');
    expect(history.map((p) => p.value)).toEqual([21.5]);
    const read = await coapRequest({
      port,
      pathname: `/api/v1/${sc.token}/attributes`,
      query: 'clientKeys=mode',
    });
    expect(read.code).toBe('2.05');
    expect(JSON.parse(read.payload.toString())).toEqual({ client: { mode: 'eco' } });
  });

  it('answers attribute requests with both groups, numbers staying numbers; 4.04 when none', async () => {
    const read = await coapRequest({
      port,
      pathname: `/api/v1/${sc.token}/attributes`,
      query: 'sharedKeys=fw_title,fw_size',
    });
    expect(read.code).toBe('2.05');
    expect(read.options['Content-Format']).toBe('application/json');
    expect(JSON.parse(read.payload.toString())).toEqual({
      shared: { fw_title: 'CIM-168', fw_size: 5000 },
    });
    const none = await coapRequest({
      port,
      pathname: `/api/v1/${sc.token}/attributes`,
      query: 'sharedKeys=nothing_here',
    });
    expect(none.code).toBe('4.04');
  });

  it('answers getSessionLimits like MQTT does', async () => {
    const reply = await post(
      `/api/v1/${sc.token}/rpc`,
      '{"method":"getSessionLimits","params":{}}',
    );
    expect(reply.code).toBe('2.05');
    expect(JSON.parse(reply.payload.toString())).toMatchObject({
      maxPayloadSize: expect.any(Number),
      maxInflightMessages: expect.any(Number),
      rateLimits: expect.any(Object),
    });
  });

  it('moves the execution with fw_state telemetry sent over CoAP', async () => {
    for (const state of ['DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'UPDATING']) {
      expect((await post(`/api/v1/${sc.token}/telemetry`, `{"fw_state":"${state}"}`)).code).toBe(
        '2.01',
      );
    }
    const [execution] = await waitFor(async () => {
      const list = await fx.station.api['executions.list']({ deviceId: sc.deviceId, limit: 1 });
      return list[0]?.state === 'UPDATING' && list;
    });
    expect(execution?.history.map((h) => h.state)).toContain('DOWNLOADED');
  });

  it('refuses what ThingsBoard refuses, each refusal in the protocol-error log', async () => {
    expect((await post('/api/v1/not-a-token/telemetry', '{"a":1}')).code).toBe('4.01');
    expect((await post(`/api/v1/${sc.token}/telemetry`, '{not json')).code).toBe('4.00');
    expect((await coapRequest({ port, pathname: `/api/v1/${sc.token}/telemetry` })).code).toBe(
      '4.00',
    );
    expect((await post(`/api/v1/${sc.token}/shoes`, '{}')).code).toBe('4.00');
    expect(
      (await coapRequest({ port, method: 'PUT', pathname: `/api/v1/${sc.token}/telemetry` })).code,
    ).toBe('4.05');
    const errors = await protocolErrors(fx);
    expect(errors.find((e) => e.kind === 'bad-token')).toMatchObject({ deviceId: null });
    expect(errors.find((e) => e.kind === 'invalid-json')).toMatchObject({
      deviceId: sc.deviceId,
      remoteAddress: '127.0.0.1',
    });
    expect(errors.find((e) => e.kind === 'coap-bad-feature')?.message).toContain('shoes');
    // The log never shows an access token.
    expect(JSON.stringify(errors)).not.toContain(sc.token);
  });

  it('handles a retransmitted POST once, answering every copy from the cache', async () => {
    const raw = await RawCoap.open(port);
    try {
      const datagram = raw.datagram({
        method: 'POST',
        path: `/api/v1/${sc.token}/telemetry`,
        payload: '{"counter":1}',
        messageId: 777,
      });
      raw.send(datagram);
      raw.send(datagram); // back to back: the first is still being handled
      await raw.next((p) => p.messageId === 777);
      await new Promise((r) => setTimeout(r, 200));
      raw.send(datagram); // a retransmission after the answer
      await waitFor(() => raw.packets.filter((p) => p.messageId === 777).length === 3);
      const answers = raw.packets.filter((p) => p.messageId === 777);
      expect(answers.map((p) => [p.ack, p.code])).toEqual([
        [true, '2.01'],
        [true, '2.01'],
        [true, '2.01'],
      ]);
      expect(telemetryHistory(fx, sc.deviceId, 'counter')).toHaveLength(1);
      expect(fx.station.coapStats().duplicates).toBe(2);
    } finally {
      await raw.close();
    }
  });

  it('answers a CoAP ping (empty CON) with RST', async () => {
    const raw = await RawCoap.open(port);
    try {
      raw.sendPacket({ code: '0.00', confirmable: true, messageId: 4321 });
      const reply = await raw.next((p) => p.messageId === 4321);
      expect(reply.reset).toBe(true);
    } finally {
      await raw.close();
    }
  });
});
