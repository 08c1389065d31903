import http from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { CloudClient } from '../../electron/core/sync/cloud-client';
import { type CloudEmulator, startCloudEmulator } from '../cloud-emulator/emulator';
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';

interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The connection was cut before the declared body arrived. */
  cut: boolean;
}

/** The download endpoint over a plain socket, so a cut body is seen byte for byte. */
function get(url: string, token: string, headers: Record<string, string> = {}): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'X-Authorization': `Bearer ${token}`, ...headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const done = (cut: boolean) =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          cut,
        });
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(false));
      res.on('error', () => done(true));
      res.on('aborted', () => done(true));
    });
  });
}

/** The emulator's download answers Range as Spring MVC does for TB's ResponseEntity<Resource>. */
describe('the cloud emulator download with ranges', () => {
  const data = firmwareBytes(10_000, 3);
  let cloud: CloudEmulator | undefined;
  afterEach(async () => {
    await cloud?.close();
    cloud = undefined;
  });

  async function start(options: Parameters<typeof startCloudEmulator>[0] = {}) {
    cloud = await startCloudEmulator(options);
    const seeded = seedSite(cloud.state, {
      profile: 'P',
      devices: [],
      packages: [{ title: 'FW', version: '1', data }],
    });
    const id = seeded.packages.get('FW@1')?.id ?? '';
    const { token } = await CloudClient.once(cloud.url).login('tenant@thingsboard.org', 'tenant');
    return { cloud, url: `${cloud.url}/api/otaPackage/${id}/download`, token, id };
  }

  it('sends the whole file with Accept-Ranges, a tail as 206, and 416 past the end', async () => {
    const { url, token, cloud } = await start();
    const whole = await get(url, token);
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.equals(data)).toBe(true);
    // No validators: TB sets neither ETag nor Last-Modified.
    expect(whole.headers.etag).toBeUndefined();
    expect(whole.headers['last-modified']).toBeUndefined();

    const tail = await get(url, token, { Range: 'bytes=9000-' });
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe('bytes 9000-9999/10000');
    expect(tail.headers['content-length']).toBe('1000');
    expect(tail.body.equals(data.subarray(9000))).toBe(true);

    const middle = await get(url, token, { Range: 'bytes=10-19' });
    expect(middle.headers['content-range']).toBe('bytes 10-19/10000');
    expect(middle.body.equals(data.subarray(10, 20))).toBe(true);
    const suffix = await get(url, token, { Range: 'bytes=-5' });
    expect(suffix.headers['content-range']).toBe('bytes 9995-9999/10000');
    const clipped = await get(url, token, { Range: 'bytes=9990-20000' });
    expect(clipped.headers['content-range']).toBe('bytes 9990-9999/10000');

    for (const range of ['bytes=10000-', 'bytes=20000-', 'bytes=5-2', 'items=0-', 'bytes=x-']) {
      const refused = await get(url, token, { Range: range });
      expect(refused.status, range).toBe(416);
      expect(refused.headers['content-range'], range).toBe('bytes */10000');
      // Spring still hands the whole Resource to the converter: a client must not read this.
      expect(refused.body.length, range).toBe(10_000);
    }
    expect(cloud.stats().downloads.map((d) => [d.range, d.status, d.bytesSent])).toEqual([
      [null, 200, 10_000],
      ['bytes=9000-', 206, 1000],
      ['bytes=10-19', 206, 10],
      ['bytes=-5', 206, 5],
      ['bytes=9990-20000', 206, 10],
      ['bytes=10000-', 416, 10_000],
      ['bytes=20000-', 416, 10_000],
      ['bytes=5-2', 416, 10_000],
      ['items=0-', 416, 10_000],
      ['bytes=x-', 416, 10_000],
    ]);
  });

  it('cuts a download after K bytes, and answers whole when told to ignore Range', async () => {
    const { url, token, cloud } = await start();
    cloud.faults.inject({
      kind: 'cut-mid-body',
      match: (r) => r.path.endsWith('/download'),
      afterBytes: 6_543,
    });
    const cut = await get(url, token);
    expect(cut.cut).toBe(true);
    expect(cut.body.length).toBe(6_543);
    expect(cut.body.equals(data.subarray(0, 6_543))).toBe(true);

    cloud.ignoreRange = true;
    const ignored = await get(url, token, { Range: 'bytes=6543-' });
    expect(ignored.status).toBe(200);
    expect(ignored.headers['accept-ranges']).toBeUndefined();
    expect(ignored.body.equals(data)).toBe(true);
    expect(cloud.stats().downloads.map((d) => [d.status, d.bytesSent])).toEqual([
      [200, 6_543],
      [200, 10_000],
    ]);
    expect(cloud.stats().faults['cut-mid-body']).toBe(1);
  });

  it('with validators (not TB, a proxy may add them) honours If-Range', async () => {
    const { url, token } = await start({ etag: true });
    const whole = await get(url, token);
    const etag = whole.headers.etag ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const same = await get(url, token, { Range: 'bytes=100-', 'If-Range': etag });
    expect(same.status).toBe(206);
    const changed = await get(url, token, { Range: 'bytes=100-', 'If-Range': '"other"' });
    expect(changed.status).toBe(200);
    expect(changed.body.length).toBe(10_000);
  });
});
