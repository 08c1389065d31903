import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { FileSecretStore } from '../../electron/core/sync/secret-store';

describe.skipIf(process.platform === 'win32')('the token file of the headless station', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-secret-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is readable only by its owner, replaced whole, and gone after clear', async () => {
    const store = new FileSecretStore(path.join(dir, 'sub', 'session.json'));
    expect(await store.read()).toBeNull();
    await store.write('{"token":"a"}');
    await store.write('{"token":"b"}');
    const file = path.join(dir, 'sub', 'session.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.read()).toBe('{"token":"b"}');
    expect(fs.readdirSync(path.join(dir, 'sub'))).toEqual(['session.json']);
    await store.clear();
    expect(fs.existsSync(file)).toBe(false);
    await store.clear();
    expect(await store.read()).toBeNull();
  });

  it('tightens a file whose mode was loosened before reading it', async () => {
    const file = path.join(dir, 'session.json');
    const store = new FileSecretStore(file);
    await store.write('secret');
    fs.chmodSync(file, 0o644);
    expect(await store.read()).toBe('secret');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
