import fs from 'node:fs';

/**
 * The data folder holds every device's access token and the cached firmware: on a shared computer
 * only the technician's own account may read it. Windows ignores these mode bits; there the
 * per-user profile folder's ACL is what protects it.
 */
export const OWNER_ONLY_DIR = 0o700;
export const OWNER_ONLY_FILE = 0o600;

const appliesHere = process.platform !== 'win32';

/** Creates the folder (and missing parents) owner-only, and tightens it if it was looser. */
export function ensureOwnerOnlyDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  tighten(dir, OWNER_ONLY_DIR);
}

/** Tightens an existing file an older version (or a copy) left readable by others; absent is fine. */
export function tightenFile(file: string): void {
  tighten(file, OWNER_ONLY_FILE);
}

function tighten(target: string, mode: number): void {
  if (!appliesHere) return;
  let current: number;
  try {
    current = fs.statSync(target).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((current & 0o077) !== 0) fs.chmodSync(target, mode);
}
