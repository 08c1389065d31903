import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { FileSecretStore } from '../sync/secret-store';

/**
 * The headless station's per-start secret: on a shared computer any local account can reach
 * 127.0.0.1, so the HTTP API asks for this secret too. It is kept owner-only in the data folder,
 * where the technician's own field-ota CLI reads it; the browser gets it from the printed address.
 */
export const STATION_SECRET_FILE = 'http-secret';

function fileIn(dataDir: string): string {
  return path.join(dataDir, STATION_SECRET_FILE);
}

/** A new random secret, for one start of the station. */
export function newStationSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Kept 0600 (written atomically) in the data folder, for the CLI to find. */
export async function writeStationSecret(dataDir: string, secret: string): Promise<void> {
  await new FileSecretStore(fileIn(dataDir)).write(secret);
}

/** The secret of the station started on this data folder, or null when none is running there. */
export function readStationSecret(dataDir: string): string | null {
  try {
    return fs.readFileSync(fileIn(dataDir), 'utf8').trim() || null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** At a clean stop; left alone if another start has replaced it meanwhile. */
export async function removeStationSecret(dataDir: string, secret: string): Promise<void> {
  if (readStationSecret(dataDir) === secret) await fs.promises.rm(fileIn(dataDir), { force: true });
}

/** The address to open in a browser: the UI keeps the secret for the tab and drops it from the bar. */
export function uiAddress(httpUrl: string, secret: string): string {
  return `${httpUrl}/?token=${encodeURIComponent(secret)}`;
}
