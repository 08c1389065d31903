import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { INTERNAL_ERROR_MESSAGE } from '../../electron/core/api/error-body';
import type { Station } from '../../electron/core/station';
import {
  bindStationIpc,
  forwardStationEvents,
  type IpcBinding,
} from '../../electron/main/ipc-binding';
import type { Package } from '../../shared/api/entities';
import type { ApiErrorBody } from '../../shared/api/errors';
import { UPLOAD_CANCELLED_MESSAGE } from '../../shared/api/errors';
import { IPC_CHANNELS } from '../../shared/api/ipc-contract';
import { TestIpcMain, type TestRenderer } from '../electron/support/ipc-harness';
import { startStationFixture, type StationFixture } from '../support/station-fixture';

type Answer<T = unknown> = { result: T } | { error: ApiErrorBody };

function errorOf(answer: unknown): ApiErrorBody {
  expect(answer).toHaveProperty('error');
  return (answer as { error: ApiErrorBody }).error;
}

function resultOf<T>(answer: unknown): T {
  if (typeof answer === 'object' && answer !== null && 'error' in answer)
    throw new Error(`expected a result, got ${JSON.stringify(answer)}`);
  expect(answer).toHaveProperty('result');
  return (answer as { result: T }).result;
}

describe('the IPC binding in main, in front of a real station', () => {
  let fx: StationFixture;
  let dataDir: string;
  let fileDir: string;
  let station: Station;
  let ipc: TestIpcMain;
  let binding: IpcBinding;
  let appWindow: TestRenderer;
  let trustedId: number | null;
  const logged: string[] = [];

  beforeAll(async () => {
    fx = await startStationFixture();
    ({ station, dataDir } = fx);
    fileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-ipc-files-'));
  });

  afterAll(async () => {
    await fx?.close();
    fs.rmSync(fileDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    ipc = new TestIpcMain();
    appWindow = ipc.renderer(7);
    trustedId = 7;
    logged.length = 0;
    binding = bindStationIpc({
      ipc,
      station,
      trustedWebContentsId: () => trustedId,
      log: (level, message) => logged.push(`${level}: ${message}`),
    });
  });

  afterEach(async () => {
    await binding.dispose();
  });

  const call = (from: TestRenderer, name: unknown, input: unknown) =>
    from.ipcRenderer().invoke(IPC_CHANNELS.call, name, input);

  it('registers one handler per channel and removes them on dispose', async () => {
    expect(ipc.channels().sort()).toEqual(
      [IPC_CHANNELS.call, IPC_CHANNELS.uploadCancel, IPC_CHANNELS.uploadStart].sort(),
    );
    await binding.dispose();
    expect(ipc.channels()).toEqual([]);
    await expect(call(appWindow, 'profiles.list', {})).rejects.toThrow(/No handler/);
    // afterEach disposes again: harmless.
  });

  it('runs an operation from the app window on the station', async () => {
    const profile = resultOf<{ id: string; name: string }>(
      await call(appWindow, 'profiles.add', { name: 'CIM-168' }),
    );
    expect(profile.name).toBe('CIM-168');
    const profiles = resultOf<{ id: string }[]>(await call(appWindow, 'profiles.list', {}));
    expect(profiles.map((p) => p.id)).toContain(profile.id);
    const status = resultOf<{ dataDir: string }>(
      await call(appWindow, 'station.status', undefined),
    );
    expect(status.dataDir).toBe(path.resolve(dataDir));
  });

  it('refuses messages from another web contents, a sub-frame, a foreign page or a gone frame', async () => {
    const before = (await station.api['profiles.list']({})).length;
    const senders: [string, TestRenderer][] = [
      ['other web contents', ipc.renderer(8)],
      [
        'sub-frame',
        ipc.renderer(7, {
          url: 'app://field-ota/index.html',
          parent: { url: 'app://field-ota/index.html', parent: null },
        }),
      ],
      ['foreign page', ipc.renderer(7, { url: 'https://evil.example/', parent: null })],
      ['file page', ipc.renderer(7, { url: 'file:///tmp/index.html', parent: null })],
      [
        'look-alike host',
        ipc.renderer(7, { url: 'app://field-ota.evil/index.html', parent: null }),
      ],
      ['gone frame', ipc.renderer(7, null)],
    ];
    for (const [what, sender] of senders) {
      const error = errorOf(await call(sender, 'profiles.add', { name: `refused ${what}` }));
      expect(error.code, what).toBe('UNAUTHORIZED');
      expect(error.message, what).toMatch(/^Refused: /);
      const upload = errorOf(
        await sender.ipcRenderer().invoke(IPC_CHANNELS.uploadStart, 1, {}, '/etc/hostname'),
      );
      expect(upload.code, what).toBe('UNAUTHORIZED');
    }
    expect((await station.api['profiles.list']({})).length).toBe(before);
    expect(logged.filter((line) => line.startsWith('warning: IPC')).length).toBe(
      senders.length * 2,
    );

    // And with no window at all (closed), nothing is trusted.
    trustedId = null;
    expect(errorOf(await call(appWindow, 'profiles.list', {})).code).toBe('UNAUTHORIZED');
  });

  it('refuses bad arguments with a message per field, before the station sees them', async () => {
    const before = (await station.api['profiles.list']({})).length;
    const error = errorOf(await call(appWindow, 'profiles.add', { name: '   ' }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields).toEqual({ name: 'is required' });
    expect(error.message).toContain('name: is required');

    const device = errorOf(
      await call(appWindow, 'devices.add', { name: 'x', profileId: '', accessToken: 'has space' }),
    );
    expect(device.code).toBe('BAD_REQUEST');
    expect(Object.keys(device.fields ?? {}).sort()).toEqual(['accessToken', 'profileId']);
    expect(device.fields?.accessToken).toMatch(/printable characters without spaces/);

    // Strict inputs refuse extra keys; wrong types are named.
    expect(errorOf(await call(appWindow, 'profiles.list', { sneaky: 1 })).code).toBe('BAD_REQUEST');
    expect(
      errorOf(await call(appWindow, 'station.protocolErrors', { limit: 'all' })).fields,
    ).toHaveProperty('limit');
    expect(errorOf(await call(appWindow, 'profiles.add', 'CIM-168')).code).toBe('BAD_REQUEST');
    expect((await station.api['profiles.list']({})).length).toBe(before);
  });

  it('refuses unknown operations, including names from Object.prototype', async () => {
    for (const name of ['nope', 'constructor', '__proto__', 'toString', 42, null, { name: 'x' }]) {
      const error = errorOf(await call(appWindow, name, {}));
      expect(error.code, String(name)).toBe('NOT_FOUND');
      expect(error.message).toMatch(/^Unknown operation/);
    }
  });

  it("answers the station's own refusals as ApiError bodies, and bugs without a stack", async () => {
    const missing = errorOf(await call(appWindow, 'devices.get', { id: 'no-such-device' }));
    expect(missing.code).toBe('NOT_FOUND');
    expect(JSON.stringify(missing)).not.toMatch(/\bat .+\.(ts|js):\d+/);

    // A handler that throws a plain Error (a bug): generic message out, the stack in the log.
    const broken = new TestIpcMain();
    const brokenBinding = bindStationIpc({
      ipc: broken,
      station: {
        ...station,
        api: {
          ...station.api,
          'profiles.list': async () => {
            throw new Error('SQLITE_IOERR at /home/tech/secret/path.sqlite');
          },
        },
        importPackage: station.importPackage,
      },
      trustedWebContentsId: () => 7,
      log: (level, message) => logged.push(`${level}: ${message}`),
    });
    const answer = await broken
      .renderer(7)
      .ipcRenderer()
      .invoke(IPC_CHANNELS.call, 'profiles.list', {});
    expect(answer).toEqual({ error: { code: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE } });
    expect(logged.some((l) => l.startsWith('error:') && l.includes('SQLITE_IOERR'))).toBe(true);
    await brokenBinding.dispose();

    // A full disk is no bug: the technician is told what to do (the details still logged).
    const full = new TestIpcMain();
    const fullBinding = bindStationIpc({
      ipc: full,
      station: {
        ...station,
        api: {
          ...station.api,
          'profiles.add': async () => {
            throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
          },
        },
        importPackage: station.importPackage,
      },
      trustedWebContentsId: () => 7,
      log: (level, message) => logged.push(`${level}: ${message}`),
    });
    const refused = await full
      .renderer(7)
      .ipcRenderer()
      .invoke(IPC_CHANNELS.call, 'profiles.add', { name: 'P' });
    expect(refused).toMatchObject({ error: { code: 'INSUFFICIENT_STORAGE' } });
    expect(JSON.stringify(refused)).toMatch(/the disk holding its data folder is full/);
    expect(logged.some((l) => l.startsWith('error:') && l.includes('SQLITE_FULL'))).toBe(true);
    await fullBinding.dispose();
  });

  describe('package upload from disk', () => {
    let profileId: string;

    beforeAll(async () => {
      profileId = (await station.api['profiles.add']({ name: 'uploads', description: '' })).id;
    });

    function writeFile(name: string, bytes: Buffer): string {
      const file = path.join(fileDir, name);
      fs.writeFileSync(file, bytes);
      return file;
    }

    const meta = (version: string, extra: Record<string, unknown> = {}) => ({
      title: 'FW',
      version,
      profileId,
      type: 'FIRMWARE',
      fileName: 'fw.bin',
      ...extra,
    });

    it('streams the file into the station and reports progress up to the total', async () => {
      const bytes = crypto.randomBytes(3 * 1024 * 1024 + 17);
      const file = writeFile('fw-1.bin', bytes);
      const pkg = resultOf<Package>(
        await appWindow.ipcRenderer().invoke(IPC_CHANNELS.uploadStart, 1, meta('1.0.0'), file),
      );
      expect(pkg.size).toBe(bytes.length);
      expect(pkg.sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
      const progress = appWindow.received
        .filter((m) => m.channel === IPC_CHANNELS.uploadProgress)
        .map((m) => m.args);
      expect(progress.length).toBeGreaterThanOrEqual(1);
      for (const [id] of progress) expect(id).toBe(1);
      const sent = progress.map(([, bytesSent]) => bytesSent as number);
      expect([...sent].sort((a, b) => a - b)).toEqual(sent);
      expect(sent.at(-1)).toBe(bytes.length);
      const listed = await station.api['packages.list']({});
      expect(listed.map((p) => p.id)).toContain(pkg.id);
    });

    it('refuses bad meta with field messages, and paths that are not a readable regular file', async () => {
      const file = writeFile('fw-2.bin', crypto.randomBytes(1000));
      const badMeta = errorOf(
        await appWindow
          .ipcRenderer()
          .invoke(IPC_CHANNELS.uploadStart, 2, meta(' ', { type: 'BIOS' }), file),
      );
      expect(badMeta.code).toBe('BAD_REQUEST');
      expect(Object.keys(badMeta.fields ?? {}).sort()).toEqual(['type', 'version']);

      const cases: [unknown, RegExp][] = [
        ['relative/fw.bin', /is not a file on disk/],
        ['', /is not a file on disk/],
        [42, /is not a file on disk/],
        [`${file}\0.png`, /is not a file on disk/],
        [path.join(fileDir, 'missing.bin'), /can't be read \(it no longer exists\)/],
        [fileDir, /is not a regular file/],
      ];
      for (const [filePath, field] of cases) {
        const error = errorOf(
          await appWindow
            .ipcRenderer()
            .invoke(IPC_CHANNELS.uploadStart, 3, meta('2.0.0'), filePath),
        );
        expect(error.code, String(filePath)).toBe('BAD_REQUEST');
        expect(error.fields?.file, String(filePath)).toMatch(field);
      }
      expect(
        errorOf(
          await appWindow.ipcRenderer().invoke(IPC_CHANNELS.uploadStart, -1, meta('2.0.0'), file),
        ).message,
      ).toBe('Bad upload id.');
      expect((await station.api['packages.list']({})).some((p) => p.version === '2.0.0')).toBe(
        false,
      );
    });

    it('passes on the station refusal of a checksum that does not match', async () => {
      const file = writeFile('fw-3.bin', crypto.randomBytes(5000));
      const error = errorOf(
        await appWindow
          .ipcRenderer()
          .invoke(IPC_CHANNELS.uploadStart, 4, meta('3.0.0', { checksum: 'ab'.repeat(32) }), file),
      );
      expect(error.code).toBe('BAD_REQUEST');
      expect(error.message).toMatch(
        /^Checksum does not match the file \(expected (ab){32}, got [0-9a-f]{64}, SHA256\)$/,
      );
      expect(error.fields).toEqual({ checksum: 'does not match the file' });
    });

    it('cancels an upload at once: nothing is imported', async () => {
      const big = writeFile('big.bin', crypto.randomBytes(8 * 1024 * 1024));
      // The handler registers the upload synchronously, so the cancel finds it running.
      const running = appWindow
        .ipcRenderer()
        .invoke(IPC_CHANNELS.uploadStart, 5, meta('4.0.0'), big) as Promise<Answer>;
      expect(binding.runningUploads).toBe(1);
      const cancelled = appWindow.ipcRenderer().invoke(IPC_CHANNELS.uploadCancel, 5);
      expect(resultOf(await cancelled)).toEqual({ cancelled: true });
      expect(errorOf(await running).message).toBe(UPLOAD_CANCELLED_MESSAGE);
      expect(binding.runningUploads).toBe(0);
      expect((await station.api['packages.list']({})).some((p) => p.version === '4.0.0')).toBe(
        false,
      );
      // Cancelling what is no longer running says so.
      expect(resultOf(await appWindow.ipcRenderer().invoke(IPC_CHANNELS.uploadCancel, 5))).toEqual({
        cancelled: false,
      });
    });

    it('cancels an upload mid-stream: no partial file stays, or the package is complete', async () => {
      const size = 96 * 1024 * 1024;
      const big = writeFile('big-1.bin', crypto.randomBytes(size));
      const running = appWindow
        .ipcRenderer()
        .invoke(IPC_CHANNELS.uploadStart, 6, meta('4.1.0'), big) as Promise<Answer>;
      await waitUntil(() =>
        appWindow.received.some(
          (m) => m.channel === IPC_CHANNELS.uploadProgress && m.args[0] === 6,
        ),
      );
      await appWindow.ipcRenderer().invoke(IPC_CHANNELS.uploadCancel, 6);
      const answer = await running;
      const imported = (await station.api['packages.list']({})).filter(
        (p) => p.version === '4.1.0',
      );
      if ('error' in answer) {
        expect(answer.error.message).toBe(UPLOAD_CANCELLED_MESSAGE);
        expect(imported).toEqual([]);
      } else {
        // The disk was faster than the cancel: then the package is whole, never partial.
        expect(answer.result).toMatchObject({ size });
        expect(imported).toHaveLength(1);
      }
      expect(leftoverTempFiles(dataDir)).toEqual([]);
    });

    it('dispose cancels running uploads and waits for them to clean up', async () => {
      const big = writeFile('big-2.bin', crypto.randomBytes(64 * 1024 * 1024));
      const running = appWindow
        .ipcRenderer()
        .invoke(IPC_CHANNELS.uploadStart, 7, meta('5.0.0'), big) as Promise<Answer>;
      await waitUntil(() => binding.runningUploads === 1);
      await binding.dispose();
      expect(binding.runningUploads).toBe(0);
      const answer = await running;
      if ('error' in answer) expect(answer.error.message).toBe(UPLOAD_CANCELLED_MESSAGE);
      expect(leftoverTempFiles(dataDir)).toEqual([]);
    });
  });

  it('forwards station events to the app window while it exists', () => {
    const stop = forwardStationEvents(station.events, () => appWindow);
    try {
      station.events.emit('package.removed', { id: 'p-1' });
      const events = appWindow.received.filter((m) => m.channel === IPC_CHANNELS.event);
      expect(events.at(-1)?.args).toEqual([{ type: 'package.removed', payload: { id: 'p-1' } }]);
      appWindow.destroyed = true;
      const count = appWindow.received.length;
      station.events.emit('package.removed', { id: 'p-2' });
      expect(appWindow.received.length).toBe(count);
    } finally {
      stop();
    }
    // Unsubscribed: the station has no listener left from the binding.
    expect(station.events.hasListeners).toBe(false);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Files an import writes before it commits (anything but committed blobs and the database). */
function leftoverTempFiles(dataDir: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/tmp|partial|\.part$/i.test(entry.name)) found.push(path.relative(dataDir, full));
    }
  };
  walk(dataDir);
  return found;
}
