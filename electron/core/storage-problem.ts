import { ApiError } from '../../shared/api/errors';

/**
 * Failures of the laptop's disk, told in words the technician can act on. A full disk, a file
 * size limit or a read-only or failing drive is not a bug of the station: the generic "internal
 * error" would hide the one thing to do (free space, move the data folder).
 *
 * Covers Node's file errors (errno codes) and SQLite's (better-sqlite3's SqliteError codes).
 * Returns undefined for anything else.
 */
export function storageProblem(error: unknown): ApiError | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  const why = reasonOf(code);
  if (why === undefined) return undefined;
  return new ApiError('INSUFFICIENT_STORAGE', `The station could not write to disk: ${why}`);
}

function reasonOf(code: string): string | undefined {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'SQLITE_FULL':
      return 'the disk holding its data folder is full. Free some space and try again; nothing was half-written.';
    case 'EFBIG':
      return 'the file is larger than this system lets the station write (a file size limit). Nothing was kept.';
    case 'EROFS':
      return 'its data folder is on a read-only disk. Nothing was changed.';
    case 'EIO':
      return 'the disk reported an input/output error. Check the drive; nothing was kept.';
  }
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_'))
    return 'its database is read-only (check the data folder and its permissions). Nothing was changed.';
  if (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_'))
    return 'the disk reported an input/output error on the database. Check the drive; nothing was changed.';
  return undefined;
}
