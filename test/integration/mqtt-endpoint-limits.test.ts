/**
 * Limits that keep one abusive client from taking the endpoint down: a total connection cap
 * answered with the CONNACK code ThingsBoard uses for a quota (3.1.1: 3 server unavailable,
 * MQTT 5: 0x97 quota exceeded), and a keep-alive maximum (mosquitto's max_keepalive): a session
 * asking for none, or for more, gets the maximum.
 */
import { describe, expect, it } from 'vitest';

import { delay, waitFor } from '../support/wait';
import { connectClientWithConnack, RawClient } from './mqtt-endpoint-helpers';
import { endpointScopePerTest } from './mqtt-endpoint-scope';

const { start, client, raw, raws, clients } = endpointScopePerTest();

async function connackCode(port: number, version: 4 | 5): Promise<number | undefined> {
  const r = await RawClient.open(port, version);
  raws.push(r);
  r.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: version,
    clientId: `over-${version}`,
    clean: true,
    keepalive: 0,
    username: 'good-token',
  });
  const connack = await r.next('connack');
  await Promise.race([r.closed, delay(3000)]);
  expect(r.isOpen).toBe(false);
  return version === 5 ? connack.reasonCode : connack.returnCode;
}

describe('total connection cap', () => {
  it('refuses the connection over the cap with quota exceeded, then accepts once one leaves', async () => {
    const { port, recorded } = await start({ maxConnections: 3 });
    const first = await client(port, { protocolVersion: 4 });
    await client(port, { protocolVersion: 5 });
    await raw(port, 4);
    expect(await connackCode(port, 4)).toBe(3);
    expect(await connackCode(port, 5)).toBe(0x97);
    expect(recorded.errors.map((e) => e.kind)).toContain('connection-limit');

    // MQTT.js sees the refusal as a failed connect, not a hang.
    await expect(connectClientWithConnack(port, { protocolVersion: 5 })).rejects.toThrow();

    first.end(true);
    await waitFor(() => recorded.disconnected.length === 1, { what: 'the first client gone' });
    await client(port, { protocolVersion: 4 });
  });

  it('drops connections beyond the cap that never send CONNECT without holding them', async () => {
    const { port, endpoint } = await start({ maxConnections: 2, connectTimeoutMs: 60_000 });
    await raw(port, 4);
    await raw(port, 4);
    const silent = await Promise.all(
      Array.from({ length: 200 }, () => RawClient.open(port, 4).catch(() => undefined)),
    );
    for (const r of silent) if (r) raws.push(r);
    // Only a few refusal slots are held open to answer a CONNECT; the rest are closed at once.
    await waitFor(() => silent.filter((r) => r?.isOpen).length <= 64, {
      what: 'connections over the cap closed',
    });
    expect(endpoint.sessions.size).toBe(2);
  });
});

describe('keep-alive maximum', () => {
  it.each([
    [0, 2],
    [100, 2],
    [1, undefined],
  ])('MQTT 5: keepalive %i gets Server Keep Alive %s', async (asked, told) => {
    const { port } = await start({ maxKeepAliveSeconds: 2 });
    const { client: c, connack } = await connectClientWithConnack(port, {
      protocolVersion: 5,
      keepalive: asked,
    });
    clients.push(c);
    expect(connack.properties?.serverKeepAlive).toBe(told);
  });

  it.each([0, 100])(
    'MQTT 3.1.1: a silent client asking keepalive %i is closed after 1.5 x the maximum',
    async (asked) => {
      const { port, recorded } = await start({ maxKeepAliveSeconds: 1 });
      const r = await raw(port, 4, { keepalive: asked });
      const opened = Date.now();
      await Promise.race([r.closed, delay(4000)]);
      expect(r.isOpen).toBe(false);
      expect(Date.now() - opened).toBeGreaterThanOrEqual(1400);
      expect(recorded.errors.map((e) => e.kind)).toContain('keepalive-timeout');
    },
  );

  it('MQTT 5: a client silent past the Server Keep Alive is closed with 0x8D', async () => {
    const { port } = await start({ maxKeepAliveSeconds: 1 });
    const r = await raw(port, 5, { keepalive: 0 });
    expect(r.packets[0]).toMatchObject({ cmd: 'connack', properties: { serverKeepAlive: 1 } });
    await Promise.race([r.closed, delay(4000)]);
    expect(r.isOpen).toBe(false);
    expect((await r.next('disconnect')).reasonCode).toBe(0x8d);
  });
});
