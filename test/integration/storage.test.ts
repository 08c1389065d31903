import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  DATABASE_FILE_NAME,
  DatabaseTooNewError,
  openDatabase,
} from '../../electron/core/storage/database';
import { type Migration, MIGRATIONS } from '../../electron/core/storage/migrations';
import { startStationFixture } from '../support/station-fixture';

const LATEST = MIGRATIONS.at(-1)?.version ?? 0;

describe('the station database', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-db-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is created with WAL, foreign keys and the latest schema', () => {
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'attributes',
        'device_profiles',
        'devices',
        'execution_events',
        'executions',
        'outbox',
        'packages',
        'telemetry',
      ]),
    );
    expect(() =>
      db
        .prepare(
          "INSERT INTO devices (id, name, profile_id, access_token, created_at) VALUES ('d', 'n', 'missing', 't', 0)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('runs only the pending migrations, in order', () => {
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST + 1, name: 'notes', sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);' },
    ];
    openDatabase(dir).close();
    const db = openDatabase(dir, extra);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST + 1);
    db.close();
    // Running again is a no-op (the CREATE would fail if it ran twice).
    openDatabase(dir, extra).close();
  });

  it('rolls back every migration of a failed start', () => {
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: LATEST + 1, name: 'good', sql: 'CREATE TABLE good (id INTEGER);' },
      { version: LATEST + 2, name: 'bad', sql: 'CREATE TABLE oops (;' },
    ];
    openDatabase(dir).close();
    expect(() => openDatabase(dir, broken)).toThrow();
    const raw = new Database(path.join(dir, DATABASE_FILE_NAME));
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE name = 'good'").get()).toBeUndefined();
    raw.close();
  });

  it('refuses a database written by a newer version, and leaves it untouched', () => {
    openDatabase(dir).close();
    const file = path.join(dir, DATABASE_FILE_NAME);
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    const before = fs.readFileSync(file);
    expect(() => openDatabase(dir)).toThrow(DatabaseTooNewError);
    expect(() => openDatabase(dir)).toThrow(
      new RegExp(
        `newer version of ServicePleX Field OTA \\(schema 99; this version knows up to ${LATEST}\\)`,
      ),
    );
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('loads a better-sqlite3 addon given by path (how the desktop app runs from source)', () => {
    const nodeBuild = path.join(
      __dirname,
      '..',
      '..',
      'node_modules',
      'better-sqlite3',
      'build',
      'Release',
      'better_sqlite3.node',
    );
    const db = openDatabase(dir, MIGRATIONS, { nativeBinding: nodeBuild });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    db.close();
    expect(() =>
      openDatabase(dir, MIGRATIONS, { nativeBinding: path.join(dir, 'missing.node') }),
    ).toThrow(/missing\.node/);
  });

  it('refuses a corrupt database file with a clear error', () => {
    fs.writeFileSync(path.join(dir, DATABASE_FILE_NAME), Buffer.alloc(8192, 0x41));
    expect(() => openDatabase(dir)).toThrow(
      /is damaged \(file is not a database\). Move the data folder aside/,
    );
  });
});

describe('the outbox', () => {
  it('gets an entry in the same transaction as each change the cloud must learn', async () => {
    const fx = await startStationFixture();
    try {
      const profile = await fx.profile('CIM-168');
      const device = await fx.device('CIM-168-02-22-90', profile.id);
      const pkg = await fx.packageFrom(Buffer.from('fw'), { profileId: profile.id });
      await fx.station.api['assignments.assign']({ deviceId: device.id, packageId: pkg.id });
      await fx.station.api['assignments.unassign']({ deviceId: device.id, type: 'FIRMWARE' });
      // A refused change writes no entry.
      await expect(fx.device('CIM-168-02-22-90', profile.id)).rejects.toThrow(/already exists/);
      const db = new Database(path.join(fx.dataDir, DATABASE_FILE_NAME), { readonly: true });
      const kinds = (
        db.prepare('SELECT kind FROM outbox ORDER BY seq').all() as { kind: string }[]
      ).map((r) => r.kind);
      const keys = db.prepare('SELECT count(DISTINCT idempotency_key) AS n FROM outbox').get() as {
        n: number;
      };
      db.close();
      expect(kinds).toEqual([
        'profile.created',
        'device.created',
        'package.created',
        'assignment.set',
        'assignment.cleared',
      ]);
      expect(keys.n).toBe(5);
    } finally {
      await fx.close();
    }
  });
});
