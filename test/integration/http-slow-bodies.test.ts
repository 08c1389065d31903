import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { type HttpServerHandle, startHttpServer } from '../../electron/core/http/server';
import { startStation, type Station } from '../../electron/core/station';

// Requests refused before their body (wrong Host, wrong token) used to wait, with no time limit,
// to drain up to 8 MiB of it: 200 such connections stayed open for ever. A refused request is
// now answered and closed at once, and an accepted one whose body stalls or crawls times out.

interface SlowRequest {
  /** What the server sent before closing. */
  received(): string;
  closed: Promise<void>;
  isClosed(): boolean;
  stop(): void;
}

/** A POST that declares `declared` bytes of body and sends one byte every `everyMs`. */
/** The station's per-start secret in these tests, and the header that passes its check. */
const SECRET = 'slow-bodies-secret';
const AUTHORIZED = { Authorization: `Bearer ${SECRET}` };

function slowPost(
  port: number,
  headers: Record<string, string>,
  declared = 100_000,
  everyMs = 200,
): SlowRequest {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (d: Buffer) => (received += d.toString()));
  socket.on('error', () => undefined);
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      clearInterval(timer);
      resolve();
    }),
  );
  const head = [
    'POST /api/call/devices.list HTTP/1.1',
    'Content-Type: application/json',
    `Content-Length: ${declared}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  socket.write(head);
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(' ');
  }, everyMs);
  return {
    received: () => received,
    closed: closedPromise,
    isClosed: () => closed,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe('HTTP request bodies', () => {
  let dir: string;
  let station: Station | undefined;
  let http: HttpServerHandle | undefined;
  const requests: SlowRequest[] = [];

  afterEach(async () => {
    for (const r of requests.splice(0)) r.stop();
    await http?.close();
    await station?.close();
    http = undefined;
    station = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function start(options: Partial<Parameters<typeof startHttpServer>[0]> = {}) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-http-body-'));
    station = await startStation({ dataDir: dir, mqttPort: 0 });
    http = await startHttpServer({ station, port: 0, secret: SECRET, ...options });
    return http.port;
  }

  it('answers and closes at once 200 requests with a wrong Host that send their body slowly', async () => {
    const port = await start();
    for (let i = 0; i < 200; i++) {
      requests.push(slowPost(port, { Host: 'evil.example:80' }));
    }
    await Promise.race([
      Promise.all(requests.map((r) => r.closed)),
      new Promise((resolve) => setTimeout(resolve, 5000)),
    ]);
    expect(requests.filter((r) => !r.isClosed())).toHaveLength(0);
    for (const r of requests) expect(r.received()).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('answers and closes at once a request with a wrong token that sends its body slowly', async () => {
    const port = await start({ token: 'right-token' });
    const r = slowPost(port, { Host: `127.0.0.1:${port}`, Authorization: 'Bearer wrong' });
    requests.push(r);
    await Promise.race([r.closed, new Promise((resolve) => setTimeout(resolve, 3000))]);
    expect(r.isClosed()).toBe(true);
    expect(r.received()).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('closes an accepted request whose body stalls', async () => {
    const port = await start({ bodyIdleTimeoutMs: 500 });
    const r = slowPost(port, { Host: `127.0.0.1:${port}`, ...AUTHORIZED }, 100, 60_000);
    requests.push(r);
    const opened = Date.now();
    await Promise.race([r.closed, new Promise((resolve) => setTimeout(resolve, 4000))]);
    expect(r.isClosed()).toBe(true);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(400);
  });

  it('closes an accepted JSON request whose body crawls past the total time', async () => {
    const port = await start({ bodyIdleTimeoutMs: 500, jsonBodyTimeoutMs: 1500 });
    const r = slowPost(port, { Host: `127.0.0.1:${port}`, ...AUTHORIZED }, 100_000, 100);
    requests.push(r);
    await Promise.race([r.closed, new Promise((resolve) => setTimeout(resolve, 5000))]);
    expect(r.isClosed()).toBe(true);
  });

  it('curl sending a slow body with a wrong Host gets its answer at once', async () => {
    const port = await start();
    const body = path.join(dir, 'body.json');
    fs.writeFileSync(body, ' '.repeat(200_000));
    const started = Date.now();
    const out = await new Promise<string>((resolve) => {
      execFile(
        'curl',
        [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '-H',
          'Host: evil.example',
          '-H',
          'Content-Type: application/json',
          '--limit-rate',
          '2K',
          '--data-binary',
          `@${body}`,
          `http://127.0.0.1:${port}/api/call/devices.list`,
        ],
        { timeout: 20_000 },
        (_error, stdout) => resolve(stdout),
      );
    });
    expect(out).toBe('403');
    // At 2 KB/s the whole body would take 100 s.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
