import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { curl, curlInBackground, httpDeviceBase } from '../support/curl';
import { haveOpenssl, makeSelfSignedCert } from '../support/self-signed-cert';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';
import { deviceWithFirmware, protocolErrors } from './device-api-helpers';

// The HTTP device API's listener: it follows the site network switch, speaks TLS with the
// certificate options MQTT takes, and nothing a peer sends or withholds ends the station or
// holds it for long (docs/device-protocol.md#http-limits).
describe('the HTTP device API listener', () => {
  let fx: StationFixture | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A raw TCP peer: what it sends is exactly what the test wrote. */
  async function rawPeer(port: number) {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => {
      const start = Date.now();
      socket.once('close', () => resolve(Date.now() - start));
    });
    return { socket, closed, received: () => received };
  }

  it('moves with the site network switch, and keeps answering on loopback', async () => {
    fx = await startStationFixture();
    const { port } = fx.station.httpDeviceAddress();
    const status = await fx.station.api['station.status']({});
    expect(status.deviceEndpoints).toContainEqual(
      expect.objectContaining({ transport: 'http', host: '127.0.0.1', port, tls: false }),
    );
    const on = await fx.station.api['station.setSiteNetwork']({ enabled: true });
    expect(fx.station.httpDeviceAddress()).toEqual({ host: '0.0.0.0', port });
    expect(on.deviceEndpoints.find((e) => e.transport === 'http')).toMatchObject({
      host: '0.0.0.0',
      url: `http://0.0.0.0:${port}`,
    });
    expect((await curl([`http://127.0.0.1:${port}/api/v1/none/attributes`])).status).toBe(401);
    await fx.station.api['station.setSiteNetwork']({ enabled: false });
    expect(fx.station.httpDeviceAddress()).toEqual({ host: '127.0.0.1', port });
  });

  it.skipIf(!haveOpenssl)('serves HTTPS with the given certificate', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-http-tls-'));
    fx = await startStationFixture({ httpDeviceTls: makeSelfSignedCert(dir) });
    const sc = await deviceWithFirmware(fx, { size: 3000, version: '1.0.1' });
    const base = httpDeviceBase(fx.station, 'https');
    const answer = await curl([
      '-k',
      `${base}/api/v1/${sc.token}/firmware?title=CIM-168&version=1.0.1`,
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(sc.firmware)).toBe(true);
    const status = await fx.station.api['station.status']({});
    expect(status.deviceEndpoints.find((e) => e.transport === 'http')).toMatchObject({
      tls: true,
      url: `https://127.0.0.1:${fx.station.httpDeviceAddress().port}`,
    });
    // Plain HTTP on the TLS port gets nothing useful, and the station goes on.
    const plain = await curl([
      `http://127.0.0.1:${fx.station.httpDeviceAddress().port}/api/v1/x/attributes`,
    ]);
    expect(plain.status).not.toBe(200);
    expect((await curl(['-k', `${base}/api/v1/${sc.token}/attributes`])).status).toBe(200);
  });

  it('answers malformed HTTP with 400 and closes slow or silent peers', async () => {
    fx = await startStationFixture({
      httpDeviceTuning: { headersTimeoutMs: 700, requestTimeoutMs: 1200 },
    });
    const { port } = fx.station.httpDeviceAddress();
    const garbage = await rawPeer(port);
    garbage.socket.write('HELLO THERE\r\n\r\n');
    await garbage.closed;
    expect(garbage.received()).toMatch(/^HTTP\/1\.1 400/);

    const silent = await rawPeer(port);
    silent.socket.write('GET /api/v1/x/attributes HTTP/1.1\r\nHost: a\r\n');
    expect(await silent.closed).toBeLessThan(5000);

    const slowBody = await rawPeer(port);
    slowBody.socket.write(
      'POST /api/v1/x/telemetry HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    expect(await slowBody.closed).toBeLessThan(5000);

    const longUrl = await curl([
      `http://127.0.0.1:${port}/api/v1/${'t'.repeat(20_000)}/attributes`,
    ]);
    expect(longUrl.status).toBe(431);
    const badEscape = await curl([`http://127.0.0.1:${port}/api/v1/%ZZ/attributes`]);
    expect(badEscape.status).toBe(404);
    expect((await protocolErrors(fx)).map((e) => e.kind)).toContain('bad-http');
    // Still serving.
    expect((await curl([`http://127.0.0.1:${port}/api/v1/none/attributes`])).status).toBe(401);
  });

  it('lets a long poll outlive the time a request has to arrive', async () => {
    fx = await startStationFixture({ httpDeviceTuning: { requestTimeoutMs: 1000 } });
    const sc = await deviceWithFirmware(fx, { size: 1000, version: '1.0.1' });
    const started = Date.now();
    const poll = await curl([
      `${httpDeviceBase(fx.station)}/api/v1/${sc.token}/attributes/updates?timeout=3000`,
    ]);
    expect(poll.status).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(poll.headers.connection).not.toBe('close');
  });

  it('cuts off a peer that pipelines downloads and never reads, without growing memory', async () => {
    fx = await startStationFixture({ httpDeviceTuning: { limits: { stallMs: 1000 } } });
    const sc = await deviceWithFirmware(fx, { size: 8 * 1024 * 1024, version: '1.0.1' });
    const { port } = fx.station.httpDeviceAddress();
    const before = process.memoryUsage().rss;
    const peer = await rawPeer(port);
    peer.socket.pause(); // reads nothing
    const request = `GET /api/v1/${sc.token}/firmware?title=CIM-168&version=1.0.1 HTTP/1.1\r\nHost: a\r\n\r\n`;
    peer.socket.write(request.repeat(200));
    const closedAfter = await peer.closed;
    expect(closedAfter).toBeLessThan(15_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
    const kinds = (await protocolErrors(fx)).map((e) => e.kind);
    expect(kinds.some((k) => k === 'pipeline-limit' || k === 'download-stalled')).toBe(true);
    const other = await curl([
      `http://127.0.0.1:${port}/api/v1/${sc.token}/firmware?title=CIM-168&version=1.0.1&size=1000`,
    ]);
    expect(other.body.equals(sc.firmware.subarray(0, 1000))).toBe(true);
  });

  it('closes connections over its cap at once, and notes it', async () => {
    fx = await startStationFixture({ httpDeviceTuning: { maxConnections: 3 } });
    const { port } = fx.station.httpDeviceAddress();
    const held = await Promise.all([1, 2, 3].map(() => rawPeer(port)));
    const extra = await rawPeer(port);
    expect(await extra.closed).toBeLessThan(5000);
    expect(extra.received()).toBe('');
    expect((await protocolErrors(fx)).map((e) => e.kind)).toContain('connection-limit');
    // One of the held ones leaves: there is room again.
    held[0]?.socket.destroy();
    await held[0]?.closed;
    await waitFor(
      async () => (await curl([`http://127.0.0.1:${port}/api/v1/x/attributes`])).status === 401,
    );
    for (const peer of held) peer.socket.destroy();
  });

  it('caps the long polls of one device (429), and ends them all at close', async () => {
    fx = await startStationFixture();
    const sc = await deviceWithFirmware(fx, { size: 1000, version: '1.0.1' });
    const url = `${httpDeviceBase(fx.station)}/api/v1/${sc.token}/attributes/updates?timeout=20000`;
    const polls = [1, 2, 3, 4].map(() => curlInBackground([url]));
    await waitFor(() => fx?.station.httpDeviceOpenPolls() === 4);
    const fifth = await curl([url]);
    expect(fifth.status).toBe(429);
    expect((await protocolErrors(fx)).map((e) => e.kind)).toContain('poll-limit');
    await fx.close();
    fx = undefined;
    for (const poll of polls) expect([503, 0]).toContain((await poll.done).status);
  });
});
