import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BlobFolder } from '../../electron/core/packages/blob-folder';
import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import { BinaryMismatchError, downloadBinary } from '../../electron/core/sync/binary-download';
import { CloudClient, type TokenHolder } from '../../electron/core/sync/cloud-client';
import { CloudNetworkError } from '../../electron/core/sync/cloud-errors';
import type { CloudPackageInfo, Tokens } from '../../electron/core/sync/cloud-types';
import { partialKey } from '../../electron/core/sync/partial-key';
import type { PackageRecord } from '../cloud-emulator/cloud-state';
import {
  type CloudEmulator,
  type CloudEmulatorOptions,
  startCloudEmulator,
} from '../cloud-emulator/emulator';
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';

const SIZE = 300_000;
const isDownload = (r: { path: string }) => r.path.endsWith('/download');

interface Setup {
  cloud: CloudEmulator;
  client: CloudClient;
  blobs: BlobFolder;
  root: string;
  record: PackageRecord;
  info: CloudPackageInfo;
  data: Buffer;
}

/**
 * downloadBinary against the emulator over real HTTP, into a blob folder on a temporary disk
 * folder. What went over the wire is read from the emulator's own log of downloads.
 */
describe('resumable binary downloads', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(options: CloudEmulatorOptions = {}): Promise<Setup> {
    const cloud = await startCloudEmulator(options);
    cleanups.push(() => cloud.close());
    const data = firmwareBytes(SIZE, 11);
    const record = seedSite(cloud.state, {
      profile: 'P',
      devices: [],
      packages: [{ title: 'FW', version: '1', data }],
    }).packages.get('FW@1');
    if (!record) throw new Error('seed');
    const client = await clientOf(cloud.url);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-resume-'));
    cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const info = await client.packageInfo(record.id);
    return { cloud, client, blobs: new BlobFolder(root), root, record, info, data };
  }

  /** One request per try (no client-level retries): the download's own attempts are counted. */
  async function clientOf(url: string): Promise<CloudClient> {
    let tokens: Tokens | null = await CloudClient.once(url).login(
      'tenant@thingsboard.org',
      'tenant',
    );
    const holder: TokenHolder = {
      get: () => tokens,
      set: async (t) => {
        tokens = t;
      },
      invalidate: async () => {
        tokens = null;
      },
    };
    return new CloudClient({ baseUrl: url, tokens: holder, retry: { maxAttempts: 1 } });
  }

  /** The first download is cut after `afterBytes`, the next three are refused: the call gives up. */
  async function cutAndGiveUp(s: Setup, afterBytes: number): Promise<string> {
    s.cloud.faults.inject({ kind: 'cut-mid-body', match: isDownload, afterBytes });
    s.cloud.faults.inject({ kind: 'drop-request', match: isDownload, times: 3 });
    const failed = await downloadBinary(s.client, s.info, s.blobs).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CloudNetworkError);
    const partial = s.blobs.partials.paths(partialKey(s.info)).data;
    expect(fs.statSync(partial).size).toBe(afterBytes);
    return partial;
  }

  function blobBytes(s: Setup, sha256: string): Buffer {
    return fs.readFileSync(s.blobs.pathOf(sha256));
  }

  it('resumes a download cut mid-file: the second request brings only the rest', async () => {
    const s = await setup();
    const cutAt = 270_000;
    s.cloud.faults.inject({ kind: 'cut-mid-body', match: isDownload, afterBytes: cutAt });
    const progress: number[] = [];
    const log: string[] = [];
    const binary = await downloadBinary(s.client, s.info, s.blobs, {
      onProgress: (bytes, total) => {
        expect(total).toBe(SIZE);
        progress.push(bytes);
      },
      log: (line) => log.push(line),
    });
    expect(s.cloud.stats().downloads).toEqual([
      { range: null, ifRange: null, status: 200, bytesSent: cutAt },
      { range: `bytes=${cutAt}-`, ifRange: null, status: 206, bytesSent: SIZE - cutAt },
    ]);
    expect(binary).toMatchObject({ size: SIZE, checksum: s.record.checksum });
    expect(blobBytes(s, binary.sha256).equals(s.data)).toBe(true);
    expect(fs.readdirSync(s.blobs.partials.dir)).toEqual([]);
    // The bar never goes back: the second attempt reports the kept bytes first, then the rest.
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.filter((b) => b === cutAt)).toHaveLength(2);
    expect(progress.at(-1)).toBe(SIZE);
    expect(log).toEqual(['FW 1: download resumed at 0.3 MB (270,000 of 300,000 bytes)']);
  });

  it('keeps the partial when it gives up, and a new start (new folder object, swept) resumes it', async () => {
    const s = await setup();
    const partial = await cutAndGiveUp(s, 123_456);
    // A restart: the package store sweeps its tmp area; an unfinished import goes, the partial stays.
    const stray = path.join(s.blobs.tmpDir, 'import.part');
    fs.writeFileSync(stray, 'x');
    const restarted = new BlobFolder(s.root);
    expect(restarted.sweep(new Set())).toEqual(['tmp/import.part']);
    expect(fs.statSync(partial).size).toBe(123_456);
    const client = await clientOf(s.cloud.url);
    const binary = await downloadBinary(client, s.info, restarted);
    expect(s.cloud.stats().downloads.at(-1)).toEqual({
      range: 'bytes=123456-',
      ifRange: null,
      status: 206,
      bytesSent: SIZE - 123_456,
    });
    expect(blobBytes(s, binary.sha256).equals(s.data)).toBe(true);
  });

  it('starts over and still ends with the right file when the server ignores Range', async () => {
    const s = await setup({ ignoreRange: true });
    s.cloud.faults.inject({ kind: 'cut-mid-body', match: isDownload, afterBytes: 200_000 });
    const log: string[] = [];
    const binary = await downloadBinary(s.client, s.info, s.blobs, {
      log: (line) => log.push(line),
    });
    expect(s.cloud.stats().downloads.map((d) => [d.range, d.status, d.bytesSent])).toEqual([
      [null, 200, 200_000],
      ['bytes=200000-', 200, SIZE],
    ]);
    expect(blobBytes(s, binary.sha256).equals(s.data)).toBe(true);
    expect(binary.checksum).toBe(s.record.checksum);
    expect(log.join('\n')).toMatch(
      /FW 1: the cloud sent the whole binary again \(it ignored the range\)/,
    );
  });

  it('never resumes onto old bytes when the cloud binary changed (same id, same size)', async () => {
    const s = await setup();
    const oldPartial = await cutAndGiveUp(s, 150_000);
    const other = firmwareBytes(SIZE, 99);
    s.record.data = other;
    s.record.checksum = checksumOfBuffer('SHA256', other);
    const changed = await s.client.packageInfo(s.record.id);
    expect(changed.checksum).not.toBe(s.info.checksum);
    const binary = await downloadBinary(s.client, changed, s.blobs);
    // No Range: the kept 150,000 bytes belong to the old binary.
    expect(s.cloud.stats().downloads.at(-1)).toEqual({
      range: null,
      ifRange: null,
      status: 200,
      bytesSent: SIZE,
    });
    expect(blobBytes(s, binary.sha256).equals(other)).toBe(true);
    // The old partial is of no use: pruning to the cloud's current list removes it.
    expect(fs.existsSync(oldPartial)).toBe(true);
    expect(s.blobs.partials.prune({ keep: new Set([partialKey(changed)]) })).toEqual([
      path.basename(oldPartial),
    ]);
  });

  it('refuses a corrupt partial with the checksum error, deletes it, and the next try starts from zero', async () => {
    const s = await setup();
    const partial = await cutAndGiveUp(s, 200_000);
    const bytes = fs.readFileSync(partial);
    bytes[1234] = (bytes[1234] ?? 0) ^ 0xff;
    fs.writeFileSync(partial, bytes);
    const refused = await downloadBinary(s.client, s.info, s.blobs).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BinaryMismatchError);
    expect((refused as BinaryMismatchError).message).toMatch(
      /^FW 1: the downloaded binary does not match the cloud's SHA256 checksum; the part kept from an earlier attempt was deleted, so the next pull downloads it from the start$/,
    );
    expect(s.cloud.stats().downloads.at(-1)).toMatchObject({ range: 'bytes=200000-', status: 206 });
    expect(fs.existsSync(partial)).toBe(false);
    const before = s.cloud.stats().downloads.length;
    const binary = await downloadBinary(s.client, s.info, s.blobs);
    expect(s.cloud.stats().downloads.slice(before)).toEqual([
      { range: null, ifRange: null, status: 200, bytesSent: SIZE },
    ]);
    expect(blobBytes(s, binary.sha256).equals(s.data)).toBe(true);
  });

  it('starts over cleanly on a 416 (a cloud that gave no size, a partial past its end)', async () => {
    const s = await setup();
    const sizeless: CloudPackageInfo = { ...s.info, dataSize: null };
    const partial = s.blobs.partials.paths(partialKey(sizeless)).data;
    fs.writeFileSync(partial, Buffer.alloc(SIZE + 5, 7));
    const log: string[] = [];
    const binary = await downloadBinary(s.client, sizeless, s.blobs, {
      log: (line) => log.push(line),
    });
    expect(s.cloud.stats().downloads.map((d) => [d.range, d.status])).toEqual([
      [`bytes=${SIZE + 5}-`, 416],
      [null, 200],
    ]);
    expect(blobBytes(s, binary.sha256).equals(s.data)).toBe(true);
    expect(log.join('\n')).toMatch(
      /could not continue the download at 0\.3 MB \(300,005 of \? bytes\) \(HTTP 416, Content-Range bytes \*\/300000\): downloading it from the start/,
    );
  });

  it('checks a partial that already holds every byte without asking the cloud again', async () => {
    const s = await setup();
    fs.writeFileSync(s.blobs.partials.paths(partialKey(s.info)).data, s.data);
    const binary = await downloadBinary(s.client, s.info, s.blobs);
    expect(s.cloud.stats().downloads).toEqual([]);
    expect(blobBytes(s, binary.sha256).equals(s.data)).toBe(true);
  });

  it('sends If-Range when the cloud gave a strong ETag, and takes a changed binary whole', async () => {
    const s = await setup({ etag: true });
    await cutAndGiveUp(s, 100_000);
    const validator = s.blobs.partials.paths(partialKey(s.info)).validator;
    const etag = fs.readFileSync(validator, 'utf8');
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    await downloadBinary(s.client, s.info, s.blobs);
    expect(s.cloud.stats().downloads.at(-1)).toMatchObject({
      range: 'bytes=100000-',
      ifRange: etag,
      status: 206,
      bytesSent: SIZE - 100_000,
    });
    expect(fs.existsSync(validator)).toBe(false);
    // A partial whose validator no longer matches (a proxy saw the binary change) comes whole.
    await fs.promises.rm(s.blobs.pathOf(createHash('sha256').update(s.data).digest('hex')));
    await cutAndGiveUp(s, 50_000);
    fs.writeFileSync(validator, '"stale"');
    const binary = await downloadBinary(s.client, s.info, s.blobs);
    expect(s.cloud.stats().downloads.at(-1)).toMatchObject({
      range: 'bytes=50000-',
      ifRange: '"stale"',
      status: 200,
      bytesSent: SIZE,
    });
    expect(blobBytes(s, binary.sha256).equals(s.data)).toBe(true);
  });

  describe('against a scripted server', () => {
    /** A download endpoint that answers a range request with a 206 starting at byte 0. */
    async function misplacingServer(data: Buffer, stallAfter?: number) {
      const requests: { range: string | null }[] = [];
      const server = http.createServer((req, res) => {
        requests.push({ range: req.headers.range ?? null });
        if (stallAfter !== undefined && requests.length === 1) {
          res.writeHead(200, { 'Content-Length': String(data.length) });
          res.write(data.subarray(0, stallAfter));
          return; // and nothing more: a link that died without a reset
        }
        if (req.headers.range) {
          res.writeHead(206, {
            'Content-Length': String(data.length),
            'Content-Range': `bytes 0-${data.length - 1}/${data.length}`,
          });
          return void res.end(data);
        }
        res.writeHead(200, { 'Content-Length': String(data.length) });
        res.end(data);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      );
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const tokens: Tokens = { token: 't', refreshToken: 'r' };
      const client = new CloudClient({
        baseUrl: url,
        tokens: {
          get: () => tokens,
          set: async () => undefined,
          invalidate: async () => undefined,
        },
        retry: { maxAttempts: 1 },
        idleTimeoutMs: 300,
      });
      const info: CloudPackageInfo = {
        id: { entityType: 'OTA_PACKAGE', id: 'scripted' },
        createdTime: 0,
        type: 'FIRMWARE',
        title: 'FW',
        version: '2',
        hasData: true,
        checksumAlgorithm: 'SHA256',
        checksum: checksumOfBuffer('SHA256', data),
        dataSize: data.length,
      };
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-resume-'));
      cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
      return { requests, client, info, blobs: new BlobFolder(root) };
    }

    it('starts over when a 206 does not start at the bytes it has', async () => {
      const data = firmwareBytes(50_000, 5);
      const t = await misplacingServer(data);
      fs.writeFileSync(t.blobs.partials.paths(partialKey(t.info)).data, data.subarray(0, 20_000));
      const log: string[] = [];
      const binary = await downloadBinary(t.client, t.info, t.blobs, {
        log: (line) => log.push(line),
      });
      expect(t.requests).toEqual([{ range: 'bytes=20000-' }, { range: null }]);
      expect(fs.readFileSync(t.blobs.pathOf(binary.sha256)).equals(data)).toBe(true);
      expect(log.join('\n')).toMatch(
        /HTTP 206, Content-Range bytes 0-49999\/50000\): downloading it from the start/,
      );
    });

    it('gives up on a body that stalls, keeps what came, and resumes from it', async () => {
      const data = firmwareBytes(50_000, 6);
      const t = await misplacingServer(data, 30_000);
      // The stall is cut after the idle time; the retry asks for the rest (this server then
      // misplaces it, so the download starts over: what matters is the Range it was asked).
      const binary = await downloadBinary(t.client, t.info, t.blobs);
      expect(t.requests[0]).toEqual({ range: null });
      expect(t.requests[1]).toEqual({ range: 'bytes=30000-' });
      expect(fs.readFileSync(t.blobs.pathOf(binary.sha256)).equals(data)).toBe(true);
    });
  });
});
