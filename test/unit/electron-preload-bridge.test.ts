import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Station } from '../../electron/core/station';
import {
  bindStationIpc,
  forwardStationEvents,
  type IpcBinding,
} from '../../electron/main/ipc-binding';
import { createBridge, type FieldOtaBridge, type FileLike } from '../../electron/preload/bridge';
import { createBridgeTransport } from '../../renderer/src/api/bridge-transport';
import type { StationTransport } from '../../renderer/src/api/transport';
import { UPLOAD_CANCELLED_MESSAGE } from '../../shared/api/errors';
import { ApiError } from '../../shared/api/errors';
import type { StationEvent } from '../../shared/api/events';
import { IPC_CHANNELS } from '../../shared/api/ipc-contract';
import { TestIpcMain, type TestRenderer } from '../electron/support/ipc-harness';
import { startStationFixture, type StationFixture } from '../support/station-fixture';

const ROOT = path.join(__dirname, '..', '..');

// The whole Electron path but Electron itself: the renderer's bridge transport, the preload's
// bridge, main's IPC binding and a real station; IPC is the structured-clone harness.
describe('the preload bridge, end to end under Node', () => {
  let fx: StationFixture;
  let fileDir: string;
  let station: Station;
  let ipc: TestIpcMain;
  let renderer: TestRenderer;
  let binding: IpcBinding;
  let stopEvents: () => void;
  let bridge: FieldOtaBridge;
  let transport: StationTransport;
  let invokes: string[];
  /** What webUtils.getPathForFile knows: Files the user chose in a dialog. */
  const diskFiles = new Map<FileLike, string>();

  beforeAll(async () => {
    fx = await startStationFixture();
    ({ station } = fx);
    fileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-bridge-files-'));
  });

  afterAll(async () => {
    await fx?.close();
    fs.rmSync(fileDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    ipc = new TestIpcMain();
    renderer = ipc.renderer(3);
    binding = bindStationIpc({
      ipc,
      station,
      trustedWebContentsId: () => 3,
      log: () => undefined,
    });
    stopEvents = forwardStationEvents(station.events, () => renderer);
    invokes = [];
    const real = renderer.ipcRenderer();
    bridge = createBridge(
      {
        ...real,
        invoke: (channel, ...args) => {
          invokes.push(channel);
          return real.invoke(channel, ...args);
        },
      },
      (file) => diskFiles.get(file) ?? '',
    );
    transport = createBridgeTransport(bridge);
  });

  afterEach(async () => {
    stopEvents();
    await binding.dispose();
  });

  /** A File as the renderer gets it from the file dialog: backed by a file on disk. */
  function chosenFile(name: string, bytes: Buffer): File {
    const file = path.join(fileDir, name);
    fs.writeFileSync(file, bytes);
    const handle = new File([new Uint8Array(bytes)], name);
    diskFiles.set(handle, file);
    return handle;
  }

  it('calls operations and resolves results, as the renderer transport uses them', async () => {
    const profile = await transport.call('profiles.add', { name: 'Bridge profile' });
    expect(profile.name).toBe('Bridge profile');
    const answer = await bridge.call('profiles.list', {});
    expect('result' in answer && answer.result.some((p) => p.id === profile.id)).toBe(true);
    expect(invokes).toEqual([IPC_CHANNELS.call, IPC_CHANNELS.call]);
  });

  it('refuses bad arguments in the preload already, with the same field messages as main', async () => {
    const answer = await bridge.call('devices.add', { name: '', profileId: 'p' });
    expect(answer).toEqual({
      error: expect.objectContaining({ code: 'BAD_REQUEST', fields: { name: 'is required' } }),
    });
    expect(invokes).toEqual([]);
    // Through the renderer's transport it becomes the ApiError the forms read fields from.
    const error = await transport
      .call('devices.add', { name: '', profileId: 'p' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fields).toEqual({ name: 'is required' });

    const unknown = await (bridge.call as (n: string, i: unknown) => Promise<unknown>)(
      'shell.exec',
      {},
    );
    expect(unknown).toEqual({ error: expect.objectContaining({ code: 'NOT_FOUND' }) });
    expect(invokes).toEqual([]);
  });

  it('refuses a function where text belongs: only plain, valid data is sent to main', async () => {
    // What goes to main is the parsed arguments: plain data that always survives IPC's copy.
    const answer = await (bridge.call as (n: string, i: unknown) => Promise<unknown>)(
      'profiles.add',
      {
        name: 'x',
        description: () => 1,
      },
    );
    expect(answer).toEqual({ error: expect.objectContaining({ code: 'BAD_REQUEST' }) });
  });

  it('delivers pushed events to every subscriber until it unsubscribes', async () => {
    const first: StationEvent[] = [];
    const second: StationEvent[] = [];
    const unsubscribeFirst = transport.subscribe((event) => first.push(event));
    const unsubscribeBroken = bridge.subscribe(() => {
      throw new Error('a broken listener');
    });
    const unsubscribeSecond = bridge.subscribe((event) => second.push(event));
    expect(renderer.listenerCount(IPC_CHANNELS.event)).toBe(1);

    const original = console.error;
    console.error = () => undefined;
    try {
      await transport.call('profiles.add', { name: 'Evented' });
      station.events.emit('package.removed', { id: 'gone' });
    } finally {
      console.error = original;
    }
    expect(first.map((e) => e.type)).toContain('package.removed');
    expect(second).toEqual(first);

    unsubscribeFirst();
    unsubscribeFirst();
    unsubscribeBroken();
    station.events.emit('package.removed', { id: 'gone-2' });
    expect(first.filter((e) => e.type === 'package.removed')).toHaveLength(1);
    expect(second.filter((e) => e.type === 'package.removed')).toHaveLength(2);
    unsubscribeSecond();
    expect(renderer.listenerCount(IPC_CHANNELS.event)).toBe(0);
  });

  it('uploads a chosen file from disk with byte progress, through the renderer transport', async () => {
    const profile = await transport.call('profiles.add', { name: 'Upload profile' });
    const bytes = crypto.randomBytes(2 * 1024 * 1024 + 5);
    const file = chosenFile('fw.bin', bytes);
    const progress: { sentBytes: number; totalBytes: number }[] = [];
    const upload = transport.uploadPackage(
      {
        title: 'FW',
        version: '1.0.0',
        profileId: profile.id,
        type: 'FIRMWARE',
        fileName: 'fw.bin',
      },
      file,
      (p) => progress.push(p),
    );
    const pkg = await upload.done;
    expect(pkg.size).toBe(bytes.length);
    expect(pkg.sha256).toBe(crypto.createHash('sha256').update(bytes).digest('hex'));
    expect(progress.at(-1)).toEqual({ sentBytes: bytes.length, totalBytes: bytes.length });
    // The progress listener is gone once the upload is over.
    expect(renderer.listenerCount(IPC_CHANNELS.uploadProgress)).toBe(0);
    expect(invokes).toEqual([IPC_CHANNELS.call, IPC_CHANNELS.uploadStart]);
  });

  it('refuses a File that exists only in memory, without asking main', async () => {
    const answer = await bridge.uploadPackage(
      { title: 'FW', version: '9.9.9', profileId: 'p', type: 'FIRMWARE', fileName: 'made.bin' },
      new File([new TextEncoder().encode('not on disk')], 'made.bin'),
    ).done;
    expect(answer).toEqual({
      error: expect.objectContaining({
        code: 'BAD_REQUEST',
        fields: { file: 'is not a file on disk' },
      }),
    });
    const badMeta = await bridge.uploadPackage(
      { title: '', version: '1', profileId: 'p', type: 'FIRMWARE', fileName: 'x.bin' },
      chosenFile('x.bin', Buffer.from('x')),
    ).done;
    expect(badMeta).toEqual({
      error: expect.objectContaining({ fields: { title: 'is required' } }),
    });
    expect(invokes).toEqual([]);
  });

  it('cancels an upload: the renderer sees the cancellation and nothing is added', async () => {
    const profile = await transport.call('profiles.add', { name: 'Cancel profile' });
    const file = chosenFile('big.bin', crypto.randomBytes(16 * 1024 * 1024));
    const upload = transport.uploadPackage(
      {
        title: 'Big',
        version: '1.0.0',
        profileId: profile.id,
        type: 'FIRMWARE',
        fileName: 'big.bin',
      },
      file,
      () => undefined,
    );
    upload.cancel();
    const error = await upload.done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(UPLOAD_CANCELLED_MESSAGE);
    const packages = await transport.call('packages.list', {});
    expect(packages.some((p) => p.title === 'Big')).toBe(false);
  });
});

describe('the preload bundle', () => {
  let outDir: string;

  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-preload-'));
    const built = spawnSync(
      process.execPath,
      [path.join(ROOT, 'scripts', 'build-preload.mjs'), outDir],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(built.status, built.stderr).toBe(0);
  }, 60_000);

  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it("requires nothing but electron (a sandboxed preload can't load other files)", () => {
    const code = fs.readFileSync(path.join(outDir, 'preload.bundle.js'), 'utf8');
    const required = [...code.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(code).not.toMatch(/\brequire\(\s*[^"'`\s]/); // no computed requires either
  });

  it('runs in a context that has only electron, and exposes exactly window.fieldOta', async () => {
    const code = fs.readFileSync(path.join(outDir, 'preload.bundle.js'), 'utf8');
    const exposed: Record<string, unknown> = {};
    const sent: unknown[][] = [];
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed[key] = api;
        },
      },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          sent.push(args);
          return { result: [] };
        },
        on: () => undefined,
        removeListener: () => undefined,
      },
      webUtils: { getPathForFile: () => '' },
    };
    const sandboxRequire = (name: string) => {
      if (name === 'electron') return electron;
      throw new Error(`module not found: ${name}`);
    };
    const module = { exports: {} };
    vm.runInNewContext(code, {
      require: sandboxRequire,
      module,
      exports: module.exports,
      console,
    });
    expect(Object.keys(exposed)).toEqual(['fieldOta']);
    const api = exposed.fieldOta as FieldOtaBridge;
    expect(Object.keys(api).sort()).toEqual(['call', 'subscribe', 'uploadPackage']);
    expect(await api.call('profiles.list', {})).toEqual({ result: [] });
    expect(sent).toEqual([[IPC_CHANNELS.call, 'profiles.list', {}]]);
    const refused = await api.call('profiles.add', { name: '' });
    expect(refused).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect(sent).toHaveLength(1);
  });
});
