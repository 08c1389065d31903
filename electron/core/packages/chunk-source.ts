import { createHash } from 'node:crypto';
import fs from 'node:fs';

import { checksumOfFile } from './checksum';

/** A verified package binary that chunks can be read from. */
export interface ServableBinary {
  readonly size: number;
  /** Bytes [offset, offset+length) clipped to the file; an empty buffer past the end. */
  read(offset: number, length: number): Buffer | Promise<Buffer>;
}

export class CorruptBinaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptBinaryError';
  }
}

export interface ChunkSourceOptions {
  /** Binaries up to this size are served from memory; larger ones by positional reads. */
  maxInMemoryBytes?: number;
  /** Total memory the in-memory copies may take; least recently opened ones are dropped first. */
  memoryBudgetBytes?: number;
  /**
   * A binary no device has asked for in this long is let go (its memory or file handle): each
   * job of a long day brings a new package, and the finished ones must not stay resident.
   */
  idleMs?: number;
}

interface Entry {
  statKey: string;
  lastUsed: number;
  binary: ServableBinary;
  memoryBytes: number;
  close(): Promise<void>;
}

/**
 * Serves package binaries for chunk requests. Each binary is hashed when first opened and again
 * whenever its file changes on disk, so a corrupted cache is caught before a byte is served,
 * without hashing on every request (which at 1000 devices would dominate the CPU).
 */
export class ChunkSources {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private readonly maxInMemoryBytes: number;
  private readonly memoryBudgetBytes: number;
  private readonly idleMs: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly pathOf: (sha256: string) => string,
    options: ChunkSourceOptions = {},
  ) {
    this.maxInMemoryBytes = options.maxInMemoryBytes ?? 32 * 1024 * 1024;
    this.memoryBudgetBytes = options.memoryBudgetBytes ?? 96 * 1024 * 1024;
    this.idleMs = options.idleMs ?? 60_000;
  }

  /** Binaries held open (in memory or by a file handle). */
  get openBinaries(): number {
    return this.entries.size;
  }

  /** Bytes held by the in-memory copies. */
  get memoryBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.memoryBytes;
    return total;
  }

  /** Throws CorruptBinaryError when the file is missing or no longer matches its SHA-256. */
  async open(sha256: string, size: number): Promise<ServableBinary> {
    const file = this.pathOf(sha256);
    const statKey = await statKeyOf(file);
    if (statKey === undefined) throw new CorruptBinaryError('The cached binary is missing');
    const cached = this.entries.get(sha256);
    if (cached && cached.statKey === statKey) {
      cached.lastUsed = Date.now();
      // Re-insert to mark as most recently used.
      this.entries.delete(sha256);
      this.entries.set(sha256, cached);
      return cached.binary;
    }
    let pending = this.loading.get(sha256);
    if (!pending) {
      pending = this.load(file, sha256, size, statKey).finally(() => this.loading.delete(sha256));
      this.loading.set(sha256, pending);
    }
    const entry = await pending;
    return entry.binary;
  }

  /**
   * Whether `binary` is still the one held for `sha256` and its file is unchanged on disk: a
   * download kept open across requests is checked so, as each open checks it, without the
   * asynchronous stat. Synchronous on purpose: one stat of a cached inode costs microseconds.
   */
  isCurrent(sha256: string, binary: ServableBinary): boolean {
    const entry = this.entries.get(sha256);
    return entry?.binary === binary && statKeyOfSync(this.pathOf(sha256)) === entry.statKey;
  }

  async evict(sha256: string): Promise<void> {
    const entry = this.entries.get(sha256);
    this.entries.delete(sha256);
    await entry?.close();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await Promise.all([...this.loading.values()].map((p) => p.catch(() => undefined)));
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.close()));
  }

  private async load(file: string, sha256: string, size: number, statKey: string): Promise<Entry> {
    await this.evict(sha256);
    const entry =
      size <= this.maxInMemoryBytes
        ? await loadInMemory(file, sha256, size, statKey)
        : await openOnDisk(file, sha256, size, statKey);
    // Sessions keep the binary they were given for the rest of their download: each read,
    // not only each open, keeps it from being let go as idle.
    const { read } = entry.binary;
    entry.binary = {
      size: entry.binary.size,
      read: (offset, length) => {
        entry.lastUsed = Date.now();
        return read(offset, length);
      },
    };
    this.entries.set(sha256, entry);
    this.startSweeping();
    await this.enforceBudget();
    return entry;
  }

  /** Runs while anything is held, so an idle station has no timer of its own. */
  private startSweeping(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => void this.sweep(), Math.max(10, this.idleMs / 2));
    this.sweeper.unref();
  }

  private async sweep(): Promise<void> {
    const before = Date.now() - this.idleMs;
    for (const [sha, entry] of this.entries) {
      if (entry.lastUsed <= before && !this.loading.has(sha))
        await this.evict(sha).catch((error: unknown) => {
          console.error(`releasing the served copy of ${sha}:`, error);
        });
    }
    if (this.entries.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private async enforceBudget(): Promise<void> {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.memoryBytes;
    for (const [sha, entry] of this.entries) {
      if (total <= this.memoryBudgetBytes) break;
      if (entry.memoryBytes === 0) continue;
      total -= entry.memoryBytes;
      await this.evict(sha);
    }
  }
}

async function statKeyOf(file: string): Promise<string | undefined> {
  try {
    return keyOfStat(await fs.promises.stat(file));
  } catch {
    return undefined;
  }
}

function statKeyOfSync(file: string): string | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat && keyOfStat(stat);
}

function keyOfStat(stat: fs.Stats): string {
  return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
}

function mismatch(
  sha256: string,
  actual: string,
  size: number,
  actualSize: number,
): CorruptBinaryError {
  return actualSize !== size
    ? new CorruptBinaryError(`The cached binary has ${actualSize} bytes instead of ${size}`)
    : new CorruptBinaryError(
        `The cached binary no longer matches its SHA-256 (expected ${sha256}, got ${actual})`,
      );
}

async function loadInMemory(
  file: string,
  sha256: string,
  size: number,
  statKey: string,
): Promise<Entry> {
  const data = await fs.promises.readFile(file);
  const actual = createHash('sha256').update(data).digest('hex');
  if (actual !== sha256 || data.length !== size) throw mismatch(sha256, actual, size, data.length);
  return {
    statKey,
    lastUsed: Date.now(),
    memoryBytes: data.length,
    // subarray shares memory: a chunk costs no copy.
    binary: {
      size,
      read: (offset, length) =>
        data.subarray(Math.min(offset, size), Math.min(offset + length, size)),
    },
    close: async () => undefined,
  };
}

async function openOnDisk(
  file: string,
  sha256: string,
  size: number,
  statKey: string,
): Promise<Entry> {
  const actual = await checksumOfFile('SHA256', file);
  const handle = await fs.promises.open(file, 'r');
  const actualSize = (await handle.stat()).size;
  if (actual !== sha256 || actualSize !== size) {
    await handle.close();
    throw mismatch(sha256, actual, size, actualSize);
  }
  return {
    statKey,
    lastUsed: Date.now(),
    memoryBytes: 0,
    binary: {
      size,
      read: async (offset, length) => {
        const start = Math.min(offset, size);
        const buffer = Buffer.allocUnsafe(Math.min(offset + length, size) - start);
        if (buffer.length === 0) return buffer;
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
        return bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      },
    },
    close: () => handle.close(),
  };
}
