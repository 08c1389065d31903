import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ApiError } from '../../shared/api/errors';
import { PackageMeta } from '../../shared/api/operations';
import { startStationFixture, type StationFixture } from '../support/station-fixture';

const blobsOf = (dataDir: string) => fs.readdirSync(path.join(dataDir, 'packages', 'blobs'));
const tmpOf = (dataDir: string) => fs.readdirSync(path.join(dataDir, 'packages', 'tmp'));

describe('the package cache', () => {
  let fx: StationFixture;
  let profileId: string;

  beforeEach(async () => {
    fx = await startStationFixture();
    profileId = (await fx.profile('CIM-168')).id;
  });
  afterEach(async () => {
    await fx.close();
  });

  it('stores the binary as a file named by its SHA-256, with the console fields', async () => {
    const bytes = crypto.randomBytes(100_000);
    const pkg = await fx.packageFrom(bytes, { profileId, checksumAlgorithm: 'CRC32' });
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    expect(pkg).toMatchObject({
      title: 'CIM-168',
      version: '1.0.1',
      tag: 'CIM-168 1.0.1',
      type: 'FIRMWARE',
      size: 100_000,
      sha256: sha,
    });
    expect(pkg.checksum).toMatch(/^[0-9a-f]{8}$/);
    expect(blobsOf(fx.dataDir)).toEqual([sha]);
    expect(fs.readFileSync(path.join(fx.dataDir, 'packages', 'blobs', sha)).equals(bytes)).toBe(
      true,
    );
    expect(tmpOf(fx.dataDir)).toEqual([]);
  });

  it('verifies a checksum given by the user, in any case and with 0x', async () => {
    const bytes = Buffer.from('123456789');
    const ok = await fx.packageFrom(bytes, {
      profileId,
      checksumAlgorithm: 'CRC32',
      checksum: '0x2639F4CB',
    });
    expect(ok.checksum).toBe('2639f4cb');
    const wrong = fx.packageFrom(bytes, {
      profileId,
      version: '2',
      checksumAlgorithm: 'CRC32',
      checksum: '00000000',
    });
    await expect(wrong).rejects.toThrow(
      'Checksum does not match the file (expected 00000000, got 2639f4cb, CRC32)',
    );
    expect((await fx.station.api['packages.list']({})).map((p) => p.version)).toEqual(['1.0.1']);
    expect(tmpOf(fx.dataDir)).toEqual([]);
  });

  it('refuses a malformed expected checksum before reading the file', async () => {
    const attempt = fx.packageFrom(Buffer.from('x'), { profileId, checksum: 'abc' });
    await expect(attempt).rejects.toThrow('A SHA256 checksum is 64 hexadecimal digits');
  });

  it('refuses an empty file and leaves nothing behind', async () => {
    const attempt = fx.packageFrom(Buffer.alloc(0), { profileId });
    await expect(attempt).rejects.toThrow(/is empty/);
    expect(await fx.station.api['packages.list']({})).toEqual([]);
    expect(blobsOf(fx.dataDir)).toEqual([]);
    expect(tmpOf(fx.dataDir)).toEqual([]);
  });

  it('refuses a second package with the same title and version', async () => {
    await fx.packageFrom(Buffer.from('a'), { profileId });
    const duplicate = fx.packageFrom(Buffer.from('b'), { profileId });
    await expect(duplicate).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already exists'),
    });
    expect(blobsOf(fx.dataDir)).toHaveLength(1);
  });

  it('refuses an unknown device profile', async () => {
    const attempt = fx.packageFrom(Buffer.from('a'), { profileId: 'no-such-profile' });
    await expect(attempt).rejects.toBeInstanceOf(ApiError);
  });

  it('keeps one file for two packages with identical binaries, until both are gone', async () => {
    const bytes = crypto.randomBytes(1000);
    const a = await fx.packageFrom(bytes, { profileId, version: '1' });
    const b = await fx.packageFrom(bytes, { profileId, version: '2' });
    expect(blobsOf(fx.dataDir)).toHaveLength(1);
    await fx.station.api['packages.delete']({ id: a.id });
    expect(blobsOf(fx.dataDir)).toHaveLength(1);
    await fx.station.api['packages.delete']({ id: b.id });
    expect(blobsOf(fx.dataDir)).toHaveLength(0);
  });

  it('does not delete a package that is still assigned', async () => {
    const pkg = await fx.packageFrom(Buffer.from('fw'), { profileId });
    const device = await fx.device('CIM-168-02-22-90', profileId);
    await fx.station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });
    await expect(fx.station.api['packages.delete']({ id: pkg.id })).rejects.toThrow(
      'Package CIM-168 1.0.1 is assigned to 1 device(s); un-assign it first',
    );
    await fx.station.api['assignments.unassign']({ deviceId: device.id, type: 'FIRMWARE' });
    await expect(fx.station.api['packages.delete']({ id: pkg.id })).resolves.toEqual({
      id: pkg.id,
    });
  });

  it('marks a cached binary CORRUPT when its bytes change, and READY again when restored', async () => {
    const bytes = crypto.randomBytes(4096);
    const pkg = await fx.packageFrom(bytes, { profileId });
    const file = path.join(fx.dataDir, 'packages', 'blobs', pkg.sha256);
    const damaged = Buffer.from(bytes);
    damaged[100] = (damaged[100] ?? 0) ^ 0xff;
    fs.writeFileSync(file, damaged);
    const corrupt = await fx.station.api['packages.verify']({ id: pkg.id });
    expect(corrupt.status).toBe('CORRUPT');
    expect(corrupt.statusDetail).toContain('no longer matches its SHA-256');
    fs.writeFileSync(file, bytes);
    expect((await fx.station.api['packages.verify']({ id: pkg.id })).status).toBe('READY');
  });

  it('streams large files without holding them in memory', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let sent = 0;
    const big = new Readable({
      read() {
        sent += 1;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        this.push(sent <= 64 ? chunk : null);
      },
    });
    const pkg = await fx.station.importPackage(
      PackageMeta.parse({
        title: 'Big',
        version: '1',
        profileId,
        type: 'SOFTWARE',
        fileName: 'big.bin',
      }),
      big,
    );
    // A whole-file buffer would add 64 MiB; streaming keeps the growth to a few chunks.
    expect(peak).toBeLessThan(16 * 1024 * 1024);
    expect(pkg.size).toBe(64 * 1024 * 1024);
    const expected = crypto.createHash('sha256');
    for (let i = 0; i < 64; i++) expected.update(chunk);
    expect(pkg.sha256).toBe(expected.digest('hex'));
  });
});

describe('an import killed mid-way', () => {
  it('leaves nothing visible and no orphan files after the next start', async () => {
    const first = await startStationFixture();
    const dataDir = first.dataDir;
    const profileId = (await first.profile('CIM-168')).id;
    await first.station.close();

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '../support/import-child.ts'), dataDir, profileId],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child never started streaming: ${stderr}`)),
        20_000,
      );
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('streaming')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(tmpOf(dataDir)).toHaveLength(1);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    // A binary whose row never committed (killed between rename and insert) is swept too.
    fs.writeFileSync(path.join(dataDir, 'packages', 'blobs', 'a'.repeat(64)), 'orphan');
    const second = await startStationFixture({ dataDir });
    try {
      expect(await second.station.api['packages.list']({})).toEqual([]);
      expect(tmpOf(dataDir)).toEqual([]);
      expect(blobsOf(dataDir)).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
