import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

import { type Migration, MIGRATIONS } from './migrations';
import { ensureOwnerOnlyDir, OWNER_ONLY_FILE, tightenFile } from './owner-only';

export type Db = Database.Database;

export class DatabaseTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly supported: number,
    file: string,
  ) {
    super(
      `The database ${file} was written by a newer version of ServicePleX Field OTA ` +
        `(schema ${found}; this version knows up to ${supported}). Update the app, or start it ` +
        `with another data folder; the file was left untouched.`,
    );
    this.name = 'DatabaseTooNewError';
  }
}

export const DATABASE_FILE_NAME = 'field-ota.sqlite';

export interface DatabaseOptions {
  /**
   * A better-sqlite3 addon built for another runtime than the one node_modules holds: the
   * desktop app in development loads an Electron build kept beside Node's, so the CLI and the
   * tests under Node keep working (scripts/electron-native.js).
   */
  nativeBinding?: string | undefined;
}

/** Opens (creating if needed) the station database in dataDir and brings its schema up to date. */
export function openDatabase(
  dataDir: string,
  migrations: readonly Migration[] = MIGRATIONS,
  options: DatabaseOptions = {},
): Db {
  ensureOwnerOnlyDir(dataDir);
  const file = path.join(dataDir, DATABASE_FILE_NAME);
  // SQLite gives the -wal and -shm files the database file's mode: create that one owner-only.
  fs.closeSync(fs.openSync(file, 'a', OWNER_ONLY_FILE));
  for (const suffix of ['', '-wal', '-shm']) tightenFile(file + suffix);
  const db = new Database(
    file,
    options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
  );
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across app crashes in WAL mode; only a power loss can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations, file);
    return db;
  } catch (error) {
    db.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new Error(
        `The database ${file} is damaged (${(error as Error).message}). ` +
          'Move the data folder aside to start with an empty station (its packages folder holds the cached binaries).',
        { cause: error },
      );
    }
    throw error;
  }
}

/** All pending migrations run in one transaction: a failed start leaves the old schema intact. */
export function migrate(db: Db, migrations: readonly Migration[], file = 'the database'): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) throw new DatabaseTooNewError(current, latest, file);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const migration of pending) {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
  const problems = db.pragma('foreign_key_check') as unknown[];
  if (problems.length > 0) throw new Error(`Migration left ${problems.length} broken foreign keys`);
}
