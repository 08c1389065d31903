import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import { LogFile } from '../../electron/main/log-file';
import { startStationFixture, type StationFixture } from '../support/station-fixture';

// Device access tokens live in the database and firmware in the package folder: on a shared
// computer only the technician's own account may read them. (Tests run as root, which ignores
// modes, but the modes themselves are what another user would meet.)
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const describeUnix = process.platform === 'win32' ? describe.skip : describe;

describeUnix('data folder file modes', () => {
  let parent: string;
  let dataDir: string;
  let fx: StationFixture | null = null;

  beforeEach(() => {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-modes-'));
    dataDir = path.join(parent, 'data');
  });
  afterEach(async () => {
    await fx?.close();
    fx = null;
    fs.rmSync(parent, { recursive: true, force: true });
  });

  const databaseFiles = () =>
    ['', '-wal', '-shm'].map((suffix) => path.join(dataDir, DATABASE_FILE_NAME + suffix));

  it('creates the folder 0700, the database files 0600, the package folders and files owner-only', async () => {
    fx = await startStationFixture({ dataDir });
    const profile = await fx.profile();
    await fx.packageFrom(crypto.randomBytes(10_000), { profileId: profile.id });

    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of databaseFiles()) expect([file, modeOf(file)]).toEqual([file, 0o600]);
    for (const folder of ['packages', 'packages/blobs', 'packages/tmp'])
      expect([folder, modeOf(path.join(dataDir, folder))]).toEqual([folder, 0o700]);
    const blobs = fs.readdirSync(path.join(dataDir, 'packages', 'blobs'));
    expect(blobs).toHaveLength(1);
    expect(modeOf(path.join(dataDir, 'packages', 'blobs', blobs[0] ?? ''))).toBe(0o600);
  });

  it('tightens a folder and database an older version left readable by everyone', async () => {
    fx = await startStationFixture({ dataDir });
    await fx.profile();
    await fx.station.close();
    fx = null;
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, 'packages'), 0o755);
    fs.chmodSync(path.join(dataDir, 'packages', 'blobs'), 0o777);
    fs.chmodSync(path.join(dataDir, DATABASE_FILE_NAME), 0o644);

    fx = await startStationFixture({ dataDir });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(path.join(dataDir, 'packages'))).toBe(0o700);
    expect(modeOf(path.join(dataDir, 'packages', 'blobs'))).toBe(0o700);
    for (const file of databaseFiles()) expect([file, modeOf(file)]).toEqual([file, 0o600]);
  });

  it('keeps the main log owner-only', () => {
    const log = new LogFile(path.join(dataDir, 'logs'));
    log.write('info', 'started');
    expect(modeOf(path.join(dataDir, 'logs'))).toBe(0o700);
    expect(modeOf(log.current)).toBe(0o600);
  });
});
