import fs from 'node:fs';
import path from 'node:path';

import { ensureOwnerOnlyDir } from '../storage/owner-only';

/**
 * Binaries half-downloaded from the cloud, kept so the next attempt (in the same pull, the next
 * pull, or after a restart) asks only for the rest. They live in `tmp/resume/`, apart from the
 * import temporaries, because a start-up sweep must delete those but keep these.
 *
 * A key names one cloud package AND the bytes it must hold (its checksum and size), so a package
 * whose binary changed in the cloud gets a new key and is never resumed onto the old bytes.
 * Next to a partial may sit its validator (a strong ETag the cloud sent), for If-Range.
 */
export const PARTIAL_SUFFIX = '.partial';
export const VALIDATOR_SUFFIX = '.etag';

/**
 * A week. A site visit is prepared over a few days on poor links, so a partial is worth keeping
 * that long; past it, it most likely belongs to a visit that is over, and a partial can be GBs
 * of a laptop's disk. (Partials of packages the cloud no longer lists, or whose binary changed,
 * go sooner: the pull removes them once it has the cloud's list, see prune's `keep`.)
 */
export const PARTIAL_MAX_AGE_MS = 7 * 24 * 3600_000;

const KEY = /^[A-Za-z0-9-]{1,64}\.[0-9a-f]{32}$/;

export interface PartialPaths {
  data: string;
  validator: string;
}

export interface PruneOptions {
  /** Keys still wanted; any other partial is removed. Absent: every key is still wanted. */
  keep?: ReadonlySet<string>;
  now?: number;
  maxAgeMs?: number;
}

/**
 * The folder appears with the first partial and the start-up sweep removes it once empty, so a
 * station that never pulled (or has nothing to resume) keeps an empty `tmp/`.
 */
export class PartialDownloads {
  constructor(readonly dir: string) {}

  static isKey(key: string): boolean {
    return KEY.test(key);
  }

  /** Where the partial for `key` is (or goes); creates the folder. */
  paths(key: string): PartialPaths {
    if (!PartialDownloads.isKey(key)) throw new Error(`Not a partial download key: ${key}`);
    ensureOwnerOnlyDir(this.dir);
    return {
      data: path.join(this.dir, key + PARTIAL_SUFFIX),
      validator: path.join(this.dir, key + VALIDATOR_SUFFIX),
    };
  }

  /**
   * Removes the partials that can no longer help: not written to for `maxAgeMs`, not in `keep`,
   * and leftovers (a validator without its partial, names this folder does not use). Returns
   * the removed names, for the log.
   */
  prune(options: PruneOptions = {}): string[] {
    const now = options.now ?? Date.now();
    const maxAgeMs = options.maxAgeMs ?? PARTIAL_MAX_AGE_MS;
    const names = this.names();
    const present = new Set(names);
    const removed: string[] = [];
    for (const name of names) {
      const key = keyOf(name);
      const full = path.join(this.dir, name);
      let drop = key === undefined || (options.keep !== undefined && !options.keep.has(key));
      if (!drop && key !== undefined) {
        const data = key + PARTIAL_SUFFIX;
        if (!present.has(data)) drop = true;
        else {
          // The validator's age follows its partial's: it was written when the partial began.
          const mtime = statTime(path.join(this.dir, data));
          drop = mtime === undefined || now - mtime > maxAgeMs;
        }
      }
      if (!drop) continue;
      fs.rmSync(full, { force: true, recursive: true });
      removed.push(name);
    }
    return removed;
  }

  /** Removes the folder if nothing is left in it. */
  removeIfEmpty(): void {
    try {
      fs.rmdirSync(this.dir);
    } catch {
      // Not empty, or not there: both are fine.
    }
  }

  private names(): string[] {
    try {
      return fs.readdirSync(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

function keyOf(name: string): string | undefined {
  for (const suffix of [PARTIAL_SUFFIX, VALIDATOR_SUFFIX]) {
    if (!name.endsWith(suffix)) continue;
    const key = name.slice(0, -suffix.length);
    return PartialDownloads.isKey(key) ? key : undefined;
  }
  return undefined;
}

function statTime(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
