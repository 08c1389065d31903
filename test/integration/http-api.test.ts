import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';

import { type HeadlessHttp, startHeadlessHttp } from '../../electron/core/http/headless-http';
import { CONTENT_SECURITY_POLICY } from '../../electron/core/http/security-headers';
import {
  assertSafeBinding,
  type HttpServerHandle,
  startHttpServer,
} from '../../electron/core/http/server';
import { startStation, type Station } from '../../electron/core/station';
import { ApiError } from '../../shared/api/errors';
import type { StationEvent } from '../../shared/api/events';
import {
  createHttpApiClient,
  StationUnreachableError,
  uploadPackage,
} from '../../shared/api/http-client';
import { type OperationName, operations } from '../../shared/api/operations';
import { freeLocalPort } from '../support/free-port';
import { stationAuth } from '../support/station-client';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Every client on this computer sends the station's per-start secret, read from its data folder
 * as the CLI does; a test that means another credential (or none: `Authorization: ''`) says so.
 */
function withSecret(headers: Record<string, string> = {}): Record<string, string> {
  if ('Authorization' in headers) {
    const { Authorization, ...rest } = headers;
    return Authorization === '' ? rest : headers;
  }
  return { ...headers, Authorization: `Bearer ${auth.token ?? ''}` };
}

/** node:http rather than fetch: fetch won't let a test forge Host or send a raw "../" path. */
function rawRequest(
  url: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        hostname,
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: withSecret(options.headers),
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function callRaw(
  url: string,
  name: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest(url, {
    method: 'POST',
    path: `/api/call/${name}`,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function json(response: RawResponse): {
  result?: unknown;
  error?: { code: string; message: string; fields?: Record<string, string> };
} {
  return JSON.parse(response.body) as never;
}

async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every file under dir, the database excepted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !/\.(db|sqlite3?)(-wal|-shm)?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

function openSocket(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: withSecret(headers) });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode ?? 0}`)));
  });
}

let tempDir: string;
let station: Station;
let server: HeadlessHttp;
let base: string;
let auth: { token?: string };
const extraServers: HttpServerHandle[] = [];

beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'field-ota-http-'));
  station = await startStation({ dataDir: path.join(tempDir, 'data'), mqttPort: 0 });
  server = await startHeadlessHttp({
    station,
    port: 0,
    staticDir: path.join(tempDir, 'no-ui-here'),
  });
  base = server.url;
  auth = stationAuth({ httpUrl: base, dataDir: station.dataDir });
});

afterAll(async () => {
  for (const s of extraServers) await s.close();
  await server?.close();
  await station?.close();
  await rm(tempDir, { recursive: true, force: true });
});

describe('POST /api/call/<operation>', () => {
  it('reaches every operation of the contract', async () => {
    const client = createHttpApiClient(base, auth);
    const called = new Set<OperationName>();
    const call: typeof client.call = (name, input) => {
      called.add(name);
      return client.call(name, input);
    };

    const status = await call('station.status', {});
    expect(status.http.url).toBe(base);
    expect(status.dataDir).toBe(path.join(tempDir, 'data'));
    expect(await call('station.protocolErrors', { limit: 5 })).toEqual([]);
    // No device is connected yet: nobody to list.
    expect(await call('station.sessions', {})).toEqual([]);
    // Off while off: the operation answers without opening the site network in this test.
    expect((await call('station.setSiteNetwork', { enabled: false })).mqtt).toMatchObject({
      host: '127.0.0.1',
      siteNetwork: false,
    });

    const profile = await call('profiles.add', { name: 'CIM-168', description: 'site CIMs' });
    expect((await call('profiles.list', {})).map((p) => p.id)).toEqual([profile.id]);

    const device = await call('devices.add', { name: 'CIM-168-02-22-90', profileId: profile.id });
    expect(device.accessToken).not.toBe('');
    expect((await call('devices.list', {})).map((d) => d.name)).toEqual(['CIM-168-02-22-90']);
    expect((await call('devices.get', { id: device.id })).name).toBe('CIM-168-02-22-90');
    expect((await call('devices.update', { id: device.id, label: 'Pump 3' })).label).toBe('Pump 3');

    const binary = randomBytes(100_000);
    const pkg = await uploadPackage(
      base,
      {
        title: 'CIM-168',
        version: '1.0.1',
        profileId: profile.id,
        type: 'FIRMWARE',
        fileName: 'fw.bin',
      },
      new Uint8Array(binary),
      auth,
    );
    expect(pkg.sha256).toBe(createHash('sha256').update(binary).digest('hex'));
    expect((await call('packages.list', {})).map((p) => p.id)).toEqual([pkg.id]);
    expect((await call('packages.verify', { id: pkg.id })).status).toBe('READY');

    const execution = await call('assignments.assign', { deviceId: device.id, packageId: pkg.id });
    expect(execution.state).toBe('INITIATED');
    expect((await call('executions.list', { deviceId: device.id })).map((e) => e.id)).toContain(
      execution.id,
    );
    expect(await call('assignments.unassign', { deviceId: device.id, type: 'FIRMWARE' })).toEqual({
      deviceId: device.id,
      type: 'FIRMWARE',
    });

    const job = await call('jobs.create', {
      packageId: pkg.id,
      deviceIds: [device.id],
      policy: { concurrency: 1, retries: 0 },
    });
    expect(job).toMatchObject({ status: 'RUNNING', counts: { total: 1, active: 1 } });
    expect((await call('jobs.list', {})).map((j) => j.id)).toContain(job.id);
    expect((await call('jobs.get', { id: job.id })).executions).toHaveLength(1);
    expect((await call('jobs.pause', { id: job.id })).status).toBe('PAUSED');
    expect((await call('jobs.resume', { id: job.id })).status).toBe('RUNNING');
    const report = await call('jobs.report', { id: job.id, format: 'csv' });
    expect(report.body.split('\r\n')[0]).toBe(
      'device,start,end,durationSec,bytes,attempts,result,firstError,firstErrorBy,lastError,lastErrorBy,transport',
    );
    expect((await call('jobs.cancel', { id: job.id })).status).toBe('CANCELED');
    const onProfile = await call('profiles.assign', { profileId: profile.id, packageId: pkg.id });
    expect(onProfile).toMatchObject({
      changed: true,
      devices: 1,
      profile: { firmware: { packageId: pkg.id } },
    });
    expect(
      await call('profiles.unassign', { profileId: profile.id, type: 'FIRMWARE' }),
    ).toMatchObject({ changed: true, devices: 1, profile: { firmware: null } });
    const noFailure = await call('jobs.retryFailed', { id: job.id }).catch((e: unknown) => e);
    expect((noFailure as ApiError).code).toBe('CONFLICT');
    const history = await call('devices.history', { id: device.id });
    expect(history.executions[0]?.attemptLog[0]).toMatchObject({ number: 1 });
    const retried = await call('executions.retry', { id: execution.id }).catch((e: unknown) => e);
    expect((retried as ApiError).code).toBe('CONFLICT');
    expect(await call('packages.delete', { id: pkg.id })).toEqual({ id: pkg.id });

    // Cloud sync, signed out: every operation answers, the ones that need the cloud say so.
    const refusal = async (run: Promise<unknown>) =>
      ((await run.catch((e: unknown) => e)) as ApiError).code;
    expect(
      await refusal(
        call('cloud.login', { url: 'http://127.0.0.1:9', username: 'u', password: 'p' }),
      ),
    ).toBe('BAD_REQUEST');
    expect((await call('cloud.status', {})).connection).toBe('SIGNED_OUT');
    expect(await refusal(call('cloud.pull', {}))).toBe('UNAUTHORIZED');
    expect(await refusal(call('cloud.push', {}))).toBe('UNAUTHORIZED');
    await call('cloud.pending', {});
    expect(await call('cloud.conflicts', {})).toEqual([]);
    expect(await refusal(call('cloud.resolveConflict', { id: 999999, choice: 'KEEP_MINE' }))).toBe(
      'NOT_FOUND',
    );
    expect(await refusal(call('cloud.retryItem', { id: 999999 }))).toBe('NOT_FOUND');
    expect(await refusal(call('cloud.discardItem', { id: 999999 }))).toBe('NOT_FOUND');
    await call('cloud.log', {});
    expect(await call('cloud.packages', {})).toEqual([]);
    await call('cloud.setAutoSync', { enabled: false });
    await call('cloud.logout', {});

    // A new operation in the contract must be added here: the transport has to carry it.
    expect([...called].sort()).toEqual(Object.keys(operations).sort());
  });

  it('answers invalid arguments with 400 and the fields at fault', async () => {
    const response = await callRaw(base, 'profiles.add', { name: '   ', description: 7 });
    expect(response.status).toBe(400);
    const body = json(response);
    expect(body.error?.code).toBe('BAD_REQUEST');
    expect(body.error?.fields).toMatchObject({
      name: expect.any(String),
      description: expect.any(String),
    });

    const extra = await callRaw(base, 'station.status', { unexpected: true });
    expect(extra.status).toBe(400);
  });

  it('rebuilds the station error as an ApiError in the client', async () => {
    const client = createHttpApiClient(base, auth);
    const error = await client
      .call('devices.get', { id: 'no-such-device' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('NOT_FOUND');

    const invalid = await client.call('profiles.add', { name: '' }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiError);
    expect((invalid as ApiError).fields).toHaveProperty('name');
  });

  it('says so when the station is not reachable', async () => {
    const port = await freeLocalPort();

    const error = await createHttpApiClient(`http://127.0.0.1:${port}`)
      .call('station.status', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StationUnreachableError);
    expect((error as Error).message).toContain(`http://127.0.0.1:${port} is not reachable`);
  });

  it('refuses unknown operations, other methods, other content types, bad JSON and oversized bodies', async () => {
    const unknown = await callRaw(base, 'profiles.explode', {});
    expect(unknown.status).toBe(404);
    expect(json(unknown).error?.code).toBe('NOT_FOUND');

    expect((await rawRequest(base, { path: '/api/call/profiles.list' })).status).toBe(405);

    const form = await rawRequest(base, {
      method: 'POST',
      path: '/api/call/profiles.add',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=evil',
    });
    expect(form.status).toBe(415);
    const noType = await rawRequest(base, {
      method: 'POST',
      path: '/api/call/profiles.list',
      body: '{}',
    });
    expect(noType.status).toBe(415);

    const notJson = await callRaw(base, 'profiles.add', '{"name": ');
    expect(notJson.status).toBe(400);
    expect(json(notJson).error?.message).toMatch(/not valid JSON/);

    const huge = await callRaw(base, 'profiles.add', {
      name: 'x',
      description: 'y'.repeat(1024 * 1024 + 1),
    });
    expect(huge.status).toBe(413);
    expect(json(huge).error?.code).toBe('PAYLOAD_TOO_LARGE');

    // Nothing of the refused calls reached the station.
    const profiles = await createHttpApiClient(base, auth).call('profiles.list', {});
    expect(profiles.map((p) => p.name)).not.toContain('evil');
  });

  it('answers an unexpected failure with a generic 500 and logs the details', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = {
      ...station,
      api: {
        ...station.api,
        'station.status': () => Promise.reject(new Error('secret internal detail')),
      },
      setHttpUrl: () => undefined,
    };
    const broken = await startHttpServer({
      station: failing,
      port: 0,
      staticDir: tempDir,
      secret: server.secret,
    });
    extraServers.push(broken);
    try {
      const response = await callRaw(broken.url, 'station.status', {});
      expect(response.status).toBe(500);
      expect(json(response).error?.code).toBe('INTERNAL');
      expect(response.body).not.toContain('secret internal detail');
      expect(response.body).not.toContain('at ');
      expect(
        logged.mock.calls
          .flat()
          .some((arg) => typeof arg === 'string' && arg.includes('secret internal detail')),
      ).toBe(true);
    } finally {
      logged.mockRestore();
    }
  });
});

describe('request guard', () => {
  it('refuses a Host header that is not this station (DNS rebinding)', async () => {
    const { port } = new URL(base);
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
    ]) {
      expect((await callRaw(base, 'profiles.list', {}, { Host: host })).status, host).toBe(200);
    }
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      'localhost',
      `attacker.localhost:${port}`,
    ]) {
      const response = await callRaw(base, 'profiles.list', {}, { Host: host });
      expect(response.status, host).toBe(403);
      expect(json(response).error?.code).toBe('UNAUTHORIZED');
    }
    // Static pages too: a rebound page must not even load the UI.
    expect(
      (await rawRequest(base, { path: '/', headers: { Host: `evil.example:${port}` } })).status,
    ).toBe(403);
  });

  it('refuses request targets that are not a plain path', async () => {
    for (const target of [
      '//evil.example/api/call/profiles.list',
      '/\\evil.example/',
      'http://evil.example/',
    ]) {
      expect((await rawRequest(base, { path: target })).status, target).toBe(400);
    }
  });

  it('refuses a cross-site Origin and accepts its own', async () => {
    const { host } = new URL(base);
    expect(
      (await callRaw(base, 'profiles.list', {}, { Origin: 'http://evil.example' })).status,
    ).toBe(403);
    expect((await callRaw(base, 'profiles.list', {}, { Origin: 'null' })).status).toBe(403);
    expect((await callRaw(base, 'profiles.list', {}, { Origin: `http://${host}` })).status).toBe(
      200,
    );
  });

  it('requires the token when one is set', async () => {
    const guarded = await startHttpServer({
      station,
      port: 0,
      secret: 'another-start',
      token: 's3cret-token',
      staticDir: tempDir,
    });
    extraServers.push(guarded);
    const missing = await callRaw(guarded.url, 'profiles.list', {}, { Authorization: '' });
    expect(missing.status).toBe(401);
    expect(json(missing).error?.code).toBe('UNAUTHORIZED');
    expect(
      (await callRaw(guarded.url, 'profiles.list', {}, { Authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    expect(
      (await callRaw(guarded.url, 'profiles.list', {}, { Authorization: 'Bearer s3cret-token' }))
        .status,
    ).toBe(200);

    // In a query string the token would end up in logs and history: only the WebSocket (which can't send headers) takes it there.
    const inQuery = await rawRequest(guarded.url, {
      method: 'POST',
      path: '/api/call/profiles.list?token=s3cret-token',
      headers: { 'Content-Type': 'application/json', Authorization: '' },
      body: '{}',
    });
    expect(inQuery.status).toBe(401);

    const client = createHttpApiClient(guarded.url, { token: 's3cret-token' });
    expect(Array.isArray(await client.call('profiles.list', {}))).toBe(true);
    const refused = await createHttpApiClient(guarded.url)
      .call('profiles.list', {})
      .catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('UNAUTHORIZED');

    const wsUrl = guarded.url.replace('http:', 'ws:');
    const none = { Authorization: '' };
    await expect(openSocket(`${wsUrl}/api/events`, none)).rejects.toThrow('HTTP 401');
    await expect(openSocket(`${wsUrl}/api/events?token=wrong`, none)).rejects.toThrow('HTTP 401');
    (await openSocket(`${wsUrl}/api/events?token=s3cret-token`, none)).close();
    // This start's secret is accepted beside the token.
    (await openSocket(`${wsUrl}/api/events?token=another-start`, none)).close();
    (await openSocket(`${wsUrl}/api/events`, { Authorization: 'Bearer s3cret-token' })).close();
  });

  it('requires the per-start secret on 127.0.0.1 too, from the data folder or the UI address', async () => {
    const none = { Authorization: '' };
    const bare = await callRaw(base, 'profiles.list', {}, none);
    expect(bare.status).toBe(401);
    expect(json(bare).error?.message).toMatch(/data folder \(--data-dir\).*\?token=/);
    const refused = await createHttpApiClient(base)
      .call('profiles.list', {})
      .catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('UNAUTHORIZED');
    const wsUrl = base.replace('http:', 'ws:');
    await expect(openSocket(`${wsUrl}/api/events`, none)).rejects.toThrow('HTTP 401');
    // The address printed for a browser carries it, as the UI sends it on its event socket.
    const ui = new URL(server.uiUrl);
    expect(ui.searchParams.get('token')).toBe(auth.token);
    (await openSocket(`${wsUrl}/api/events?token=${auth.token ?? ''}`, none)).close();
    // The page itself is public (it holds no data), so it can pick the secret up.
    expect((await rawRequest(base, { path: '/', headers: none })).status).not.toBe(401);
  });

  it('refuses control characters in a name over HTTP, naming the field', async () => {
    const answer = await callRaw(base, 'profiles.add', { name: 'CIM\u001b[2J' });
    expect(answer.status).toBe(400);
    expect(json(answer).error?.fields).toEqual({
      name: 'must not contain control characters (line breaks, tabs, escape codes)',
    });
  });

  it('refuses to serve beyond loopback without a token, before binding anything', async () => {
    // Never actually bound in tests: the refusal happens before listen.
    await expect(
      startHttpServer({ station, host: '0.0.0.0', port: 0, secret: 'x' }),
    ).rejects.toThrow(/without an access token/);
    await expect(startHttpServer({ station, host: '::', port: 0, secret: 'x' })).rejects.toThrow(
      /without an access token/,
    );
    expect(() => assertSafeBinding('192.168.1.20', undefined)).toThrow(/without an access token/);
    expect(() => assertSafeBinding('192.168.1.20', 'token')).not.toThrow();
    expect(() => assertSafeBinding('127.0.0.1', undefined)).not.toThrow();
    expect(() => assertSafeBinding('::1', undefined)).not.toThrow();
    expect(() => assertSafeBinding('localhost', undefined)).not.toThrow();
  });
});

describe('POST /api/packages/upload', () => {
  async function profileId(name: string): Promise<string> {
    const client = createHttpApiClient(base, auth);
    const existing = (await client.call('profiles.list', {})).find((p) => p.name === name);
    return existing?.id ?? (await client.call('profiles.add', { name })).id;
  }

  function uploadRequest(meta: unknown): http.ClientRequest {
    const { hostname, port } = new URL(base);
    return http.request({
      hostname,
      port,
      method: 'POST',
      path: `/api/packages/upload?meta=${encodeURIComponent(JSON.stringify(meta))}`,
      headers: withSecret({ 'Content-Type': 'application/octet-stream' }),
    });
  }

  it('streams a large body in pieces into the cache', async () => {
    const meta = {
      title: 'STREAM',
      version: '2.0.0',
      profileId: await profileId('streaming'),
      type: 'SOFTWARE',
      fileName: 'big.bin',
      checksumAlgorithm: 'MD5',
    };
    const req = uploadRequest(meta); // chunked: the server can't know the size up front
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    const response = new Promise<RawResponse>((resolve, reject) => {
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString(),
          }),
        );
      });
      req.on('error', reject);
    });
    let total = 0;
    for (let i = 0; i < 40; i++) {
      const piece = randomBytes(512 * 1024);
      sha256.update(piece);
      md5.update(piece);
      total += piece.length;
      if (!req.write(piece)) await new Promise((r) => req.once('drain', r));
    }
    req.end();
    const answer = await response;
    expect(answer.status).toBe(200);
    const pkg = json(answer).result as {
      size: number;
      sha256: string;
      checksum: string;
      type: string;
    };
    expect(pkg).toMatchObject({
      size: total,
      sha256: sha256.digest('hex'),
      checksum: md5.digest('hex'),
      type: 'SOFTWARE',
    });
  });

  it('leaves nothing behind when the client aborts mid-upload', async () => {
    const dataDir = path.join(tempDir, 'data');
    const before = await filesUnder(dataDir);
    const client = createHttpApiClient(base, auth);
    const countBefore = (await client.call('packages.list', {})).length;
    const meta = {
      title: 'ABORTED',
      version: '1.0.0',
      profileId: await profileId('aborts'),
      type: 'FIRMWARE',
      fileName: 'a.bin',
    };

    const req = uploadRequest(meta);
    req.on('error', () => undefined); // the abort below errors the request: expected
    req.write(randomBytes(1024 * 1024));
    await eventually(
      async () => ((await filesUnder(dataDir)).length > before.length ? true : undefined),
      'the upload to start arriving',
    );
    req.destroy();

    await eventually(
      async () => ((await filesUnder(dataDir)).length === before.length ? true : undefined),
      'the partial file to be removed',
    );
    expect(await filesUnder(dataDir)).toEqual(before);
    expect((await client.call('packages.list', {})).length).toBe(countBefore);

    // Nothing half-visible: the same title and version can be uploaded for real now.
    const pkg = await uploadPackage(base, meta as never, new Uint8Array(randomBytes(1000)), auth);
    expect(pkg.title).toBe('ABORTED');
  });

  it('answers a refused upload instead of resetting the connection', async () => {
    const meta = {
      title: 'DUP',
      version: '1.0.0',
      profileId: await profileId('dups'),
      type: 'FIRMWARE' as const,
      fileName: 'd.bin',
    };
    await uploadPackage(base, meta, new Uint8Array(randomBytes(1000)), auth);
    // Streamed (unknown length) and refused before the station reads a byte of it.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 16; i++) controller.enqueue(new Uint8Array(256 * 1024));
        controller.close();
      },
    });
    const error = await uploadPackage(base, meta, body, auth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('CONFLICT');
  });

  it('validates the metadata and the content type', async () => {
    const noMeta = await rawRequest(base, {
      method: 'POST',
      path: '/api/packages/upload',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: 'x',
    });
    expect(noMeta.status).toBe(400);
    expect(json(noMeta).error?.fields).toHaveProperty('meta');

    const badMeta = await rawRequest(base, {
      method: 'POST',
      path: `/api/packages/upload?meta=${encodeURIComponent(JSON.stringify({ title: '', type: 'FIRMWARE' }))}`,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: 'x',
    });
    expect(badMeta.status).toBe(400);
    expect(Object.keys(json(badMeta).error?.fields ?? {})).toEqual(
      expect.arrayContaining(['title', 'version', 'profileId', 'fileName']),
    );

    const form = await rawRequest(base, {
      method: 'POST',
      path: '/api/packages/upload?meta=%7B%7D',
      headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
      body: 'x',
    });
    expect(form.status).toBe(415);
  });
});

describe('GET /api/events', () => {
  it('pushes station events to every client as JSON', async () => {
    const wsUrl = `${base.replace('http:', 'ws:')}/api/events`;
    const sockets = [await openSocket(wsUrl), await openSocket(wsUrl)];
    const received: StationEvent[][] = sockets.map(() => []);
    sockets.forEach((ws, i) =>
      ws.on('message', (data) => received[i]?.push(JSON.parse(String(data)) as StationEvent)),
    );

    const client = createHttpApiClient(base, auth);
    const profile = await client.call('profiles.add', { name: 'events' });
    const pkg = await uploadPackage(
      base,
      { title: 'EVT', version: '1', profileId: profile.id, type: 'FIRMWARE', fileName: 'e.bin' },
      new Uint8Array(10),
      auth,
    );
    await client.call('packages.delete', { id: pkg.id });

    for (const events of received) {
      await eventually(
        () => (events.some((e) => e.type === 'package.removed') ? true : undefined),
        'package.removed',
      );
      expect(events.find((e) => e.type === 'package.changed')?.payload).toMatchObject({
        id: pkg.id,
        title: 'EVT',
      });
      expect(events.find((e) => e.type === 'package.removed')?.payload).toEqual({ id: pkg.id });
    }
    for (const ws of sockets) ws.close();
  });

  it('refuses other paths and foreign origins', async () => {
    const wsBase = base.replace('http:', 'ws:');
    await expect(openSocket(`${wsBase}/api/nope`)).rejects.toThrow('HTTP 404');
    await expect(
      openSocket(`${wsBase}/api/events`, { Origin: 'http://evil.example' }),
    ).rejects.toThrow('HTTP 403');
    expect((await rawRequest(base, { path: '/api/events' })).status).toBe(426);
  });

  it('drops a client that stops reading instead of buffering for it', async () => {
    const ws = await openSocket(`${base.replace('http:', 'ws:')}/api/events`);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    let messages = 0;
    ws.on('message', () => messages++);
    // A stuck browser tab: the TCP receive side stops being read.
    const socket = (ws as unknown as { _socket: net.Socket })._socket;
    socket.pause();

    const emitted = 100;
    const big = 'x'.repeat(256 * 1024);
    for (let i = 0; i < emitted; i++) {
      station.events.emit('package.removed', { id: big });
      await new Promise((r) => setImmediate(r));
    }
    socket.resume();
    expect(await closed).toBe(1013);
    expect(messages).toBeLessThan(emitted);
  });
});

describe('static files', () => {
  let ui: HttpServerHandle;
  let uiDir: string;

  beforeAll(async () => {
    uiDir = path.join(tempDir, 'renderer');
    await mkdir(path.join(uiDir, 'assets'), { recursive: true });
    await writeFile(
      path.join(uiDir, 'index.html'),
      '<!doctype html><title>Field OTA</title><div id="root"></div>',
    );
    await writeFile(path.join(uiDir, 'assets', 'app.js'), 'console.log("ui")');
    await writeFile(path.join(uiDir, 'assets', 'app.css'), 'body{}');
    await writeFile(
      path.join(uiDir, 'assets', 'logo.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
    );
    await writeFile(path.join(tempDir, 'secret.txt'), 'TOP SECRET');
    await symlink(path.join(tempDir, 'secret.txt'), path.join(uiDir, 'assets', 'link.txt'));
    ui = await startHttpServer({ station, port: 0, staticDir: uiDir, secret: server.secret });
    extraServers.push(ui);
  });

  it('serves the built renderer with its content types and security headers', async () => {
    const index = await rawRequest(ui.url, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Field OTA</title>');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['x-content-type-options']).toBe('nosniff');

    const cases: [string, string][] = [
      ['/assets/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/app.css', 'text/css; charset=utf-8'],
      ['/assets/logo.svg', 'image/svg+xml'],
    ];
    for (const [file, type] of cases) {
      const response = await rawRequest(ui.url, { path: file });
      expect(response.status, file).toBe(200);
      expect(response.headers['content-type'], file).toBe(type);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
    const api = await callRaw(ui.url, 'profiles.list', {});
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('falls back to index.html for client-side routes but not for missing assets', async () => {
    const route = await rawRequest(ui.url, { path: '/devices/CIM-168-02-22-90' });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Field OTA</title>');
    expect((await rawRequest(ui.url, { path: '/assets/missing.js' })).status).toBe(404);
    expect((await rawRequest(ui.url, { path: '/', method: 'POST' })).status).toBe(405);
  });

  it('refuses paths that lead outside the folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/..%2fsecret.txt',
      '/assets%2f..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/assets/link.txt',
      '/%00',
    ]) {
      const response = await rawRequest(ui.url, { path: p });
      expect(response.body, p).not.toContain('TOP SECRET');
      expect([400, 404], p).toContain(response.status);
    }
  });

  it('says the UI is not built when there is no renderer folder', async () => {
    const page = await rawRequest(base, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('npm run build');
  });
});
