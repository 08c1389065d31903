import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ChunkSources } from '../../electron/core/packages/chunk-source';
import { waitFor } from '../support/wait';

/**
 * Each job of a long day brings a new package. The served copy of a package nobody downloads
 * any more must be let go, not kept until a memory budget is reached.
 */
describe('served package binaries on a long day', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chunk-source-'));
  let sources: ChunkSources | undefined;
  afterEach(async () => {
    await sources?.close();
  });

  function blob(size: number): { sha: string; size: number } {
    const bytes = crypto.randomBytes(size);
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    fs.writeFileSync(path.join(dir, sha), bytes);
    return { sha, size };
  }

  it('lets go of in-memory copies and file handles no download has used for a while', async () => {
    sources = new ChunkSources((sha) => path.join(dir, sha), {
      maxInMemoryBytes: 64 * 1024,
      idleMs: 300,
    });
    const small = blob(50_000);
    const large = blob(200_000);
    for (const job of [small, large]) {
      const binary = await sources.open(job.sha, job.size);
      expect((await binary.read(0, 1000)).length).toBe(1000);
    }
    expect(sources.openBinaries).toBe(2);
    expect(sources.memoryBytes).toBe(50_000);
    await waitFor(() => sources?.openBinaries === 0, { timeoutMs: 3000 });
    expect(sources.memoryBytes).toBe(0);
  });

  it('keeps a binary while a download reads from it, however long the download', async () => {
    sources = new ChunkSources((sha) => path.join(dir, sha), {
      maxInMemoryBytes: 0,
      idleMs: 200,
    });
    const job = blob(100_000);
    const binary = await sources.open(job.sha, job.size);
    // A slow device: one chunk every 50 ms for three idle periods, from the handle it was given.
    for (let offset = 0; offset < 60_000; offset += 5000) {
      expect((await binary.read(offset, 5000)).length).toBe(5000);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sources.openBinaries).toBe(1);
  });
});
