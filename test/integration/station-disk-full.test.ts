import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ApiError } from '../../shared/api/errors';
import { uploadPackage } from '../../shared/api/http-client';
import { ensureBuilt, type RunningStation, startStationProcess } from '../support/cli-process';
import { stationAuth, stationClient } from '../support/station-client';

// A laptop's disk that fills up (or a file size limit) while a package is imported: the
// technician gets what to do instead of "internal error", nothing half-written stays, and the
// station goes on working. Both failures are real: a file size limit set on the station's
// process with prlimit (EFBIG, anywhere), and a 2 MiB tmpfs as the data folder (ENOSPC, where
// this user may mount one: root in the CI container).

const LIMIT_BYTES = 8 * 1024 * 1024;

function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Writes `file` until the disk is full (ENOSPC ends it). */
function fillDisk(file: string): void {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(4096);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
}

const TMPFS = canMountTmpfs();
if (!TMPFS) console.log('skipped: the full-disk test needs root to mount a small tmpfs');

describe('a full disk or a file size limit during an import', () => {
  let dir: string;
  let station: RunningStation | undefined;
  let mounted: string | undefined;

  beforeAll(async () => {
    await ensureBuilt();
  });
  afterEach(async () => {
    station?.child.kill('SIGKILL');
    if (station) await station.exited;
    station = undefined;
    if (mounted) execFileSync('umount', [mounted]);
    mounted = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function importTooMuch(dataDir: string, bytes: number): Promise<void> {
    if (!station) throw new Error('no station');
    const api = stationClient(station);
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    const meta = (version: string) => ({
      title: 'CIM-168',
      version,
      profileId: profile.id,
      type: 'FIRMWARE' as const,
      fileName: 'fw.bin',
    });
    const refused = await uploadPackage(
      station.httpUrl,
      meta('1.0.1'),
      new Uint8Array(crypto.randomBytes(bytes)),
      stationAuth(station),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'INSUFFICIENT_STORAGE' });
    expect((refused as ApiError).message).toMatch(/^The station could not write to disk: /);
    expect((refused as ApiError).message).not.toMatch(/internal error/i);

    // Nothing half-written: no package, no blob, no temporary file.
    expect(await api.call('packages.list', {})).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'packages', 'blobs'))).toEqual([]);
    expect(fs.readdirSync(path.join(dataDir, 'packages', 'tmp'))).toEqual([]);

    // And the station goes on: a package that fits is imported.
    const small = await uploadPackage(
      station.httpUrl,
      meta('1.0.2'),
      new Uint8Array(crypto.randomBytes(100_000)),
      stationAuth(station),
    );
    expect(small).toMatchObject({ version: '1.0.2', size: 100_000, status: 'READY' });
  }

  it('says a file size limit stopped it, keeps nothing, and imports the next package', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-fsize-'));
    const dataDir = path.join(dir, 'data');
    station = await startStationProcess(
      ['station', '--data-dir', dataDir, '--mqtt-port', '0', '--http-port', '0'],
      undefined,
      {},
      false,
      ['prlimit', `--fsize=${LIMIT_BYTES}`, '--'],
    );
    await importTooMuch(dataDir, LIMIT_BYTES + 1024 * 1024);
    expect(station.stderr()).toMatch(/EFBIG/);
  });

  it.skipIf(!TMPFS)(
    'says the disk is full, keeps nothing, and imports the next package (2 MiB tmpfs)',
    async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-full-'));
      mounted = path.join(dir, 'data');
      fs.mkdirSync(mounted);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mounted]);
      station = await startStationProcess([
        'station',
        '--data-dir',
        mounted,
        '--mqtt-port',
        '0',
        '--http-port',
        '0',
      ]);
      await importTooMuch(mounted, 3 * 1024 * 1024);
      expect(station.stderr()).toMatch(/ENOSPC/);

      // Now the database itself meets the full disk: fill what is left, then write rows.
      const filler = path.join(mounted, 'filler');
      fillDisk(filler);
      const api = stationClient(station);
      const refused = await (async () => {
        for (let i = 0; i < 200; i++)
          await api.call('profiles.add', { name: `P-${i}`, description: 'x'.repeat(900) });
        return undefined;
      })().catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'INSUFFICIENT_STORAGE' });
      expect((refused as ApiError).message).toMatch(/the disk holding its data folder is full/);
      expect(station.stderr()).toMatch(/SQLITE_FULL/);
      fs.rmSync(filler);
      expect(await api.call('profiles.add', { name: 'after' })).toMatchObject({ name: 'after' });
    },
  );
});
