import fs from 'node:fs';
import path from 'node:path';

import { ensureOwnerOnlyDir } from '../storage/owner-only';
import { PartialDownloads } from './partial-downloads';

const RESUME_DIR = 'resume';

/**
 * Package binaries live as files named by their SHA-256 in `<dataDir>/packages/blobs`; imports
 * are written under `tmp/` and renamed into place, so a half-written binary is never visible.
 * A positional file read serves a chunk far faster than a BLOB `substr` (docs/architecture.md#package-binaries).
 */
export class BlobFolder {
  readonly blobDir: string;
  readonly tmpDir: string;
  /** Downloads from the cloud cut part way, kept to be resumed (`tmp/resume/`). */
  readonly partials: PartialDownloads;

  constructor(root: string) {
    this.blobDir = path.join(root, 'blobs');
    this.tmpDir = path.join(root, 'tmp');
    ensureOwnerOnlyDir(root);
    ensureOwnerOnlyDir(this.blobDir);
    ensureOwnerOnlyDir(this.tmpDir);
    this.partials = new PartialDownloads(path.join(this.tmpDir, RESUME_DIR));
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Not a SHA-256 blob name: ${sha256}`);
    return path.join(this.blobDir, sha256);
  }

  newTempPath(id: string): string {
    return path.join(this.tmpDir, `${id}.part`);
  }

  /** Moves a finished import into place; an identical binary already cached is kept. */
  async commit(tempPath: string, sha256: string): Promise<string> {
    const target = this.pathOf(sha256);
    // No fsync of the file or the folder: on ext4 that flushes the whole binary and doubled the
    // import time. Safety comes from elsewhere: a binary is hashed before its first chunk is
    // served, so one a power cut truncated or lost is marked CORRUPT instead of being sent.
    if (fs.existsSync(target)) {
      await fs.promises.rm(tempPath, { force: true });
    } else {
      await fs.promises.rename(tempPath, target);
    }
    return target;
  }

  async remove(sha256: string): Promise<void> {
    await fs.promises.rm(this.pathOf(sha256), { force: true });
  }

  /**
   * Start-up clean-up after a crash: unfinished imports, and binaries renamed into place whose
   * database row never committed. Returns what was removed, for the log.
   *
   * Partial cloud downloads are kept: a restart between two pulls (the laptop shut overnight) is
   * exactly when resuming saves a weak link from fetching 200 MB again. Only stale ones go here
   * (see PARTIAL_MAX_AGE_MS); whether the cloud still wants a package is only known once a pull
   * has its list, so the pull removes the unwanted ones then.
   */
  sweep(referenced: ReadonlySet<string>): string[] {
    const removed: string[] = [];
    for (const name of fs.readdirSync(this.tmpDir)) {
      if (name === RESUME_DIR) continue;
      fs.rmSync(path.join(this.tmpDir, name), { force: true, recursive: true });
      removed.push(`tmp/${name}`);
    }
    for (const name of this.partials.prune()) removed.push(`tmp/${RESUME_DIR}/${name}`);
    this.partials.removeIfEmpty();
    for (const name of fs.readdirSync(this.blobDir)) {
      if (!referenced.has(name)) {
        fs.rmSync(path.join(this.blobDir, name), { force: true, recursive: true });
        removed.push(`blobs/${name}`);
      }
    }
    return removed;
  }
}
