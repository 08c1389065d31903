import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import { PARTIAL_MAX_AGE_MS } from '../../electron/core/packages/partial-downloads';
import { MemorySecretStore } from '../../electron/core/sync/secret-store';
import type { PackageRecord } from '../cloud-emulator/cloud-state';
import { type CloudEmulator, startCloudEmulator } from '../cloud-emulator/emulator';
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture, type SyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';

const SIZE = 400_000;
/** 90 %: the weak link dies near the end of the binary. */
const CUT_AT = 360_000;
const isDownload = (r: { path: string }) => r.path.endsWith('/download');
/** One request per try, so the faults below are what the pull meets (no client retries). */
const ONE_TRY = { sync: { retry: { maxAttempts: 1 } } };

function resumeDir(fx: SyncFixture): string {
  return path.join(fx.site.dataDir, 'packages', 'tmp', 'resume');
}

function seed(cloud: CloudEmulator): PackageRecord {
  const record = seedSite(cloud.state, {
    profile: 'P',
    devices: [{ name: 'd0', token: 't0' }],
    packages: [{ title: 'FW', version: '1', data: firmwareBytes(SIZE, 21) }],
    firmware: { d0: 'FW@1' },
  }).packages.get('FW@1');
  if (!record) throw new Error('seed');
  return record;
}

/** The binary's download is cut at 90 %, and the three tries after it find no connection. */
function cutThenOffline(cloud: CloudEmulator): void {
  cloud.faults.inject({ kind: 'cut-mid-body', match: isDownload, afterBytes: CUT_AT });
  cloud.faults.inject({ kind: 'drop-request', match: isDownload, times: 3 });
}

/** A site pull through SyncService whose binary download is cut part way. */
describe('site pull with a download cut mid-binary', () => {
  const startFixture = closedAfterEach(startSyncFixture);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function firstPullCut(fx: SyncFixture): Promise<void> {
    cutThenOffline(fx.cloud);
    const first = await fx.call('cloud.pull', {});
    expect(first.error).toMatch(/continues where it was next time/);
    expect(await fx.call('packages.list', {})).toEqual([]);
    const kept = fs.readdirSync(resumeDir(fx));
    expect(kept).toHaveLength(1);
    expect(fs.statSync(path.join(resumeDir(fx), kept[0] ?? '')).size).toBe(CUT_AT);
  }

  it('completes on the next pull, fetching only the missing 10 %, with progress from 90 %', async () => {
    const fx = await startFixture({ station: ONE_TRY });
    const record = seed(fx.cloud);
    await fx.login();
    await firstPullCut(fx);

    const bytes: { done: number; total: number | null; unit: string }[] = [];
    const unsubscribe = fx.site.station.events.subscribe((event) => {
      const activity = event.type === 'cloud.status' ? event.payload.activity : null;
      if (activity?.phase === 'binary FW 1')
        bytes.push({ done: activity.done, total: activity.total, unit: activity.unit });
    });
    const second = await fx.call('cloud.pull', {});
    unsubscribe();
    expect(second.error).toBeNull();
    expect(second.packages.downloaded).toBe(1);
    expect(second.assignments.applied).toBe(1);
    const packages = await fx.call('packages.list', {});
    expect(packages.map((p) => [p.version, p.checksum, p.size])).toEqual([
      ['1', record.checksum, SIZE],
    ]);

    const downloads = fx.cloud.stats().downloads;
    expect(downloads.at(-1)).toEqual({
      range: `bytes=${CUT_AT}-`,
      ifRange: null,
      status: 206,
      bytesSent: SIZE - CUT_AT,
    });
    // Every byte of the binary crossed the link once.
    expect(downloads.reduce((sum, d) => sum + d.bytesSent, 0)).toBe(SIZE);
    // The bar jumps to 90 % and goes on from there.
    expect(bytes[0]).toEqual({ done: CUT_AT, total: SIZE, unit: 'BYTES' });
    expect(bytes.every((b) => b.done >= CUT_AT)).toBe(true);
    expect(bytes.at(-1)).toEqual({ done: SIZE, total: SIZE, unit: 'BYTES' });
    const log = (await fx.call('cloud.log', {})).map((l) => l.message);
    expect(log).toContain('FW 1: download resumed at 0.4 MB (360,000 of 400,000 bytes)');
    expect(fs.readdirSync(resumeDir(fx))).toEqual([]);
  });

  it('resumes after a station restart between the pulls; the start-up sweep keeps the partial', async () => {
    const cloud = await startCloudEmulator();
    cleanups.push(() => cloud.close());
    const record = seed(cloud);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-resume-restart-'));
    const secrets = new MemorySecretStore();
    const station = { ...ONE_TRY, dataDir, secretStore: secrets };
    const first = await startSyncFixture({ cloudInstance: cloud, station });
    let firstOpen = true;
    cleanups.push(async () => {
      if (firstOpen) await first.close();
    });
    await first.login();
    await firstPullCut(first);
    const [partial = ''] = fs.readdirSync(resumeDir(first));
    // Something a week old, and an unfinished import: the sweep removes those, not the partial.
    const stale = path.join(resumeDir(first), `old-package.${'0'.repeat(32)}.partial`);
    fs.writeFileSync(stale, 'a week ago');
    const weekAgo = new Date(Date.now() - PARTIAL_MAX_AGE_MS - 3600_000);
    fs.utimesSync(stale, weekAgo, weekAgo);
    fs.writeFileSync(path.join(dataDir, 'packages', 'tmp', 'import.part'), 'half an import');
    await first.site.station.close();
    firstOpen = false;

    const fx = await startFixture({ cloudInstance: cloud, station });
    expect(fs.readdirSync(path.join(dataDir, 'packages', 'tmp')).sort()).toEqual(['resume']);
    expect(fs.readdirSync(resumeDir(fx))).toEqual([partial]);
    // The saved session came back with the station: no sign-in needed.
    const second = await fx.call('cloud.pull', {});
    expect(second.error).toBeNull();
    expect(second.packages.downloaded).toBe(1);
    expect(cloud.stats().downloads.at(-1)).toMatchObject({
      range: `bytes=${CUT_AT}-`,
      status: 206,
      bytesSent: SIZE - CUT_AT,
    });
    expect((await fx.call('packages.list', {}))[0]?.checksum).toBe(record.checksum);
  });

  it('downloads a binary changed in the cloud whole, and drops the partial of the old one', async () => {
    const fx = await startFixture({ station: ONE_TRY });
    const record = seed(fx.cloud);
    await fx.login();
    await firstPullCut(fx);
    const other = firmwareBytes(SIZE, 22);
    record.data = other;
    record.checksum = checksumOfBuffer('SHA256', other);
    const second = await fx.call('cloud.pull', {});
    expect(second.error).toBeNull();
    expect(second.packages.downloaded).toBe(1);
    expect(fx.cloud.stats().downloads.at(-1)).toEqual({
      range: null,
      ifRange: null,
      status: 200,
      bytesSent: SIZE,
    });
    expect((await fx.call('packages.list', {}))[0]?.checksum).toBe(record.checksum);
    expect(fs.readdirSync(resumeDir(fx))).toEqual([]);
    const log = (await fx.call('cloud.log', {})).map((l) => l.message);
    expect(log).toContain(
      'Deleted 1 unfinished download(s) no longer of use (the package left the cloud, its binary changed, or it is over a week old)',
    );
  });

  it('reports a corrupt partial as a checksum error, deletes it, and the next pull starts from zero', async () => {
    const fx = await startFixture({ station: ONE_TRY });
    const record = seed(fx.cloud);
    await fx.login();
    await firstPullCut(fx);
    const [name = ''] = fs.readdirSync(resumeDir(fx));
    const file = path.join(resumeDir(fx), name);
    const bytes = fs.readFileSync(file);
    bytes[100_000] = (bytes[100_000] ?? 0) ^ 0x01;
    fs.writeFileSync(file, bytes);

    const second = await fx.call('cloud.pull', {});
    expect(second.error).toBeNull();
    expect(second.packages.failed).toEqual([
      {
        title: 'FW',
        version: '1',
        error:
          "FW 1: the downloaded binary does not match the cloud's SHA256 checksum; the part kept from an earlier attempt was deleted, so the next pull downloads it from the start",
      },
    ]);
    expect(fs.readdirSync(resumeDir(fx))).toEqual([]);
    expect(await fx.call('packages.list', {})).toEqual([]);

    const third = await fx.call('cloud.pull', {});
    expect(third.packages.downloaded).toBe(1);
    expect(fx.cloud.stats().downloads.at(-1)).toEqual({
      range: null,
      ifRange: null,
      status: 200,
      bytesSent: SIZE,
    });
    expect((await fx.call('packages.list', {}))[0]?.checksum).toBe(record.checksum);
  });
});
