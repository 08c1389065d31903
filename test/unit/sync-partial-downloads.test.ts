import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BlobFolder } from '../../electron/core/packages/blob-folder';
import { PARTIAL_MAX_AGE_MS } from '../../electron/core/packages/partial-downloads';
import type { CloudPackageInfo } from '../../electron/core/sync/cloud-types';
import { parseContentRange } from '../../electron/core/sync/content-range';
import { partialKey } from '../../electron/core/sync/partial-key';

const DAY = 24 * 3600_000;

function info(overrides: Partial<CloudPackageInfo> = {}): CloudPackageInfo {
  return {
    id: { entityType: 'OTA_PACKAGE', id: '0b5e2a10-0000-4000-8000-000000000001' },
    createdTime: 0,
    type: 'FIRMWARE',
    title: 'FW',
    version: '1',
    hasData: true,
    checksumAlgorithm: 'SHA256',
    checksum: 'ab'.repeat(32),
    dataSize: 1000,
    ...overrides,
  };
}

describe('a 206 Content-Range', () => {
  it('is read when it places bytes, and refused otherwise', () => {
    expect(parseContentRange('bytes 900-999/1000')).toEqual({
      first: 900,
      last: 999,
      complete: 1000,
    });
    expect(parseContentRange('bytes 0-0/*')).toEqual({ first: 0, last: 0, complete: null });
    for (const bad of [
      undefined,
      '',
      'bytes */1000',
      'bytes 10-5/1000',
      'bytes 900-1000/1000',
      'items 0-9/10',
      'bytes 1-2',
      'bytes -1-2/10',
    ])
      expect(parseContentRange(bad), String(bad)).toBeUndefined();
  });
});

describe('the key of a partial download', () => {
  it('follows the cloud package and the bytes it must become, nothing else', () => {
    const key = partialKey(info());
    expect(key).toMatch(/^0b5e2a10-0000-4000-8000-000000000001\.[0-9a-f]{32}$/);
    // The checksum as the cloud may write it (case, 0x) is the same binary.
    expect(partialKey(info({ checksum: `0x${'AB'.repeat(32)}` }))).toBe(key);
    expect(partialKey(info({ title: 'other', version: '2' }))).toBe(key);
    // Another binary under the same package id never shares the partial.
    expect(partialKey(info({ checksum: 'cd'.repeat(32) }))).not.toBe(key);
    expect(partialKey(info({ dataSize: 1001 }))).not.toBe(key);
    expect(partialKey(info({ checksumAlgorithm: 'MD5' }))).not.toBe(key);
    expect(
      partialKey(
        info({ id: { entityType: 'OTA_PACKAGE', id: '0b5e2a10-0000-4000-8000-000000000002' } }),
      ),
    ).not.toBe(key);
    // An id that is not a safe file name is hashed.
    expect(partialKey(info({ id: { entityType: 'OTA_PACKAGE', id: '../../etc/passwd' } }))).toMatch(
      /^[0-9a-f]{32}\.[0-9a-f]{32}$/,
    );
  });
});

describe('partial downloads in the blob folder', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
  });
  function folder(): { root: string; blobs: BlobFolder } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-partials-'));
    roots.push(root);
    return { root, blobs: new BlobFolder(root) };
  }
  function age(file: string, ms: number): void {
    const when = new Date(Date.now() - ms);
    fs.utimesSync(file, when, when);
  }

  it('survive the start-up sweep unless stale; unfinished imports and leftovers do not', () => {
    const { blobs } = folder();
    const fresh = blobs.partials.paths(partialKey(info()));
    const stale = blobs.partials.paths(partialKey(info({ checksum: 'cd'.repeat(32) })));
    const orphanValidator = blobs.partials.paths(partialKey(info({ dataSize: 5 }))).validator;
    fs.writeFileSync(fresh.data, 'kept part');
    fs.writeFileSync(fresh.validator, '"etag"');
    fs.writeFileSync(stale.data, 'old part');
    fs.writeFileSync(stale.validator, '"old"');
    age(stale.data, PARTIAL_MAX_AGE_MS + DAY);
    // Still young enough: six days and a bit.
    const young = blobs.partials.paths(partialKey(info({ dataSize: 7 })));
    fs.writeFileSync(young.data, 'six days old');
    age(young.data, 6 * DAY + 3600_000);
    fs.writeFileSync(orphanValidator, '"orphan"');
    fs.writeFileSync(path.join(blobs.partials.dir, 'not-ours.txt'), 'x');
    fs.writeFileSync(blobs.newTempPath('import-1'), 'half an import');

    const removed = blobs.sweep(new Set());
    expect(removed.sort()).toEqual(
      [
        'tmp/import-1.part',
        `tmp/resume/${path.basename(stale.data)}`,
        `tmp/resume/${path.basename(stale.validator)}`,
        `tmp/resume/${path.basename(orphanValidator)}`,
        'tmp/resume/not-ours.txt',
      ].sort(),
    );
    expect(fs.readFileSync(fresh.data, 'utf8')).toBe('kept part');
    expect(fs.readFileSync(fresh.validator, 'utf8')).toBe('"etag"');
    expect(fs.existsSync(young.data)).toBe(true);
    // A new BlobFolder on the same root (the next start) finds them where they were.
    expect(
      fs.readFileSync(
        new BlobFolder(path.dirname(blobs.tmpDir)).partials.paths(partialKey(info())).data,
        'utf8',
      ),
    ).toBe('kept part');
  });

  it('are pruned to the keys still wanted', () => {
    const { blobs } = folder();
    const wanted = partialKey(info());
    const gone = partialKey(info({ checksum: 'cd'.repeat(32) }));
    fs.writeFileSync(blobs.partials.paths(wanted).data, 'a');
    fs.writeFileSync(blobs.partials.paths(gone).data, 'b');
    fs.writeFileSync(blobs.partials.paths(gone).validator, '"b"');
    expect(blobs.partials.prune({ keep: new Set([wanted]) }).sort()).toEqual(
      [`${gone}.etag`, `${gone}.partial`].sort(),
    );
    expect(fs.readdirSync(blobs.partials.dir)).toEqual([`${wanted}.partial`]);
    expect(() => blobs.partials.paths('../escape')).toThrow(/Not a partial download key/);
    // Nothing left to resume: the next start leaves tmp/ empty, as a station that never pulled.
    blobs.partials.prune({ keep: new Set() });
    blobs.sweep(new Set());
    expect(fs.readdirSync(blobs.tmpDir)).toEqual([]);
  });
});
