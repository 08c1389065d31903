import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { multipartFile } from '../../electron/core/sync/push/multipart-body';
import { boundaryOf, parseMultipart } from '../cloud-emulator/multipart';
import { firmwareBytes } from '../cloud-emulator/seed';

async function collect(body: Readable | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('the multipart upload body', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-multipart-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('streams the file in a "file" part with its exact length, again for each retry', async () => {
    const data = firmwareBytes(200_000, 3);
    const file = path.join(dir, 'fw.bin');
    fs.writeFileSync(file, data);
    const body = multipartFile('file', 'fw "1".bin', 'application/octet-stream', file, data.length);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const bytes = await collect(body.open());
      expect(bytes.length).toBe(body.length);
      const parts = parseMultipart(bytes, boundaryOf(body.contentType) ?? '');
      expect(parts).toHaveLength(1);
      expect(parts?.[0]).toMatchObject({
        name: 'file',
        fileName: 'fw _1_.bin',
        contentType: 'application/octet-stream',
      });
      expect(parts?.[0]?.data.equals(data)).toBe(true);
    }
  });

  it('refuses a file that no longer has the size recorded for it', async () => {
    const file = path.join(dir, 'fw.bin');
    fs.writeFileSync(file, Buffer.alloc(100));
    await expect(collect(multipartFile('file', 'x', 'a/b', file, 101).open())).rejects.toThrow(
      /has 100 bytes instead of 101/,
    );
    await expect(collect(multipartFile('file', 'x', 'a/b', file, 99).open())).rejects.toThrow(
      /larger than the 99 bytes/,
    );
  });
});
