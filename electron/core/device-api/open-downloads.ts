import { LRUCache } from 'lru-cache';

/** Device downloads held open at most; past this the least recently used one is let go. */
export const MAX_OPEN_DOWNLOADS = 4096;
/**
 * A download no request used for this long is let go. Shorter than ChunkSources' idle time,
 * so a held download never keeps a binary's memory after the sources let it go.
 */
export const OPEN_DOWNLOAD_IDLE_MS = 10_000;

export interface OpenDownloadLimits {
  max?: number;
  idleMs?: number;
}

/**
 * The downloads devices have open, one per device and slot, whatever the transport: a chunk
 * request finds the one its previous request opened. Bounded in count, and each entry goes
 * once idle. An entry holds no file handle of its own (the binaries it reads from belong to
 * ChunkSources, shared by every device), so letting one go closes nothing.
 */
export class OpenDownloads<T extends object> {
  private readonly entries: LRUCache<string, T>;
  private readonly idleMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(limits: OpenDownloadLimits = {}) {
    this.idleMs = limits.idleMs ?? OPEN_DOWNLOAD_IDLE_MS;
    this.entries = new LRUCache<string, T>({
      max: limits.max ?? MAX_OPEN_DOWNLOADS,
      ttl: this.idleMs,
      // Idle, not age: each use starts the time again.
      updateAgeOnGet: true,
    });
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: T): void {
    this.entries.set(key, value);
    this.startSweeping();
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.entries.clear();
  }

  /**
   * Expired entries are only noticed when asked for, so a sweep drops those of devices that
   * stopped asking. It runs while anything is held: an idle station has no timer of its own.
   */
  private startSweeping(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      this.entries.purgeStale();
      if (this.entries.size === 0) this.clear();
    }, this.idleMs);
    this.sweeper.unref();
  }
}
