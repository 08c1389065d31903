import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CONTENT_SECURITY_POLICY } from '../../electron/main/content-security-policy';
import { IPC_CHANNELS } from '../../shared/api/ipc-contract';
import { fake, FakeBrowserWindow, FakeWebContents } from '../electron/support/fake-electron';
import { waitFor } from '../support/wait';

// The compiled dist/electron/main/main.js, started with a recording stand-in for the electron
// module (the binary can't run here): start-up order, the real paths of the preload and the
// renderer, the handlers it installs, and a clean shutdown of the real station it starts.
const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'electron', 'main', 'main.js');
const BUILT = [
  MAIN,
  path.join(ROOT, 'dist', 'electron', 'preload', 'preload.bundle.js'),
  path.join(ROOT, 'dist', 'renderer', 'index.html'),
];

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: ModuleLoad };

describe('the compiled main process, wired to a stand-in electron module', () => {
  let dataDir: string;
  let originalLoad: ModuleLoad;
  let window: FakeBrowserWindow;
  let mqttPort = 0;
  const appPage = 'app://field-ota/index.html';

  beforeAll(async () => {
    const missing = BUILT.filter((file) => !fs.existsSync(file));
    if (missing.length > 0)
      throw new Error(`run npm run build first (missing: ${missing.join(', ')})`);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-main-wiring-'));
    process.env.FIELD_OTA_DATA_DIR = dataDir;
    process.env.FIELD_OTA_MQTT_PORT = '0';
    // As installed: no DevTools, no log echo on stdout.
    fake.app.isPackaged = true;
    originalLoad = moduleWithLoad._load;
    moduleWithLoad._load = function (request, parent, isMain) {
      if (request === 'electron') return fake;
      return originalLoad.call(this, request, parent, isMain);
    };
    createRequire(MAIN)(MAIN);
    fake.app.becomeReady();
    await waitFor(() => FakeBrowserWindow.all.length === 1, { timeoutMs: 10_000 });
    window = FakeBrowserWindow.all[0] as FakeBrowserWindow;
  }, 30_000);

  afterAll(async () => {
    if (!fake.app.quitted) {
      fake.app.quit();
      await waitFor(() => fake.app.quitted, { timeoutMs: 10_000 }).catch(() => undefined);
    }
    if (originalLoad) moduleWithLoad._load = originalLoad;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('registers app:// and the sandbox, and takes the data folder and the instance lock, before ready', () => {
    expect(fake.app.calls.slice(0, 5)).toEqual([
      'registerSchemesAsPrivileged',
      'enableSandbox',
      'setPath userData',
      'requestSingleInstanceLock',
      'ready',
    ]);
    expect(fake.schemes).toEqual([
      {
        scheme: 'app',
        privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false }),
      },
    ]);
    expect(fake.app.getPath('userData')).toBe(path.resolve(dataDir));
    expect(fake.errorBoxes).toEqual([]);
  });

  it('opens one sandboxed window on app://field-ota with the bundled preload', () => {
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: false,
    });
    expect(prefs.preload).toBe(path.join(ROOT, 'dist', 'electron', 'preload', 'preload.bundle.js'));
    expect(fs.existsSync(prefs.preload as string)).toBe(true);
    expect(window.loaded).toEqual([appPage]);
  });

  it('serves the built renderer on app:// with the CSP, and refuses what is outside it', async () => {
    const handler = fake.session.defaultSession.handlers.get('protocol:app') as (
      r: Request,
    ) => Promise<Response>;
    expect(handler).toBeTypeOf('function');
    const index = await handler(new Request(appPage));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const html = await index.text();
    expect(html).toBe(fs.readFileSync(path.join(ROOT, 'dist', 'renderer', 'index.html'), 'utf8'));
    // The script the page loads comes from the same folder, as JavaScript.
    const script = /<script[^>]+src="\.\/([^"]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await handler(new Request(`app://field-ota/${script}`));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const outside = await handler(new Request('app://field-ota/..%2f..%2fpackage.json'));
    expect(outside.status).toBe(400);
    expect(outside.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('blocks remote requests and refuses permissions for the whole session', () => {
    const handlers = fake.session.defaultSession.handlers;
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      (
        handlers.get('onBeforeRequest') as (
          d: { url: string },
          cb: (r: { cancel: boolean }) => void,
        ) => void
      )({ url }, (response) => (cancel = response.cancel));
      return cancel;
    };
    expect(decide('https://example.com/x.js')).toBe(true);
    expect(decide('app://field-ota/assets/x.js')).toBe(false);
    let granted: boolean | undefined;
    (handlers.get('permissionRequest') as (...args: unknown[]) => void)(
      window.webContents,
      'media',
      (ok: boolean) => (granted = ok),
      { requestingUrl: appPage },
    );
    expect(granted).toBe(false);
    expect((handlers.get('devicePermission') as () => boolean)()).toBe(false);
  });

  it('guards navigation and new windows of the app window', () => {
    const contents = window.webContents;
    expect(contents.attempt('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.attempt('will-redirect', 'https://example.com/')).toBe(true);
    expect(contents.attempt('will-navigate', `${appPage}#/devices`)).toBe(false);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({
      action: 'deny',
    });
    let attachPrevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (attachPrevented = true) });
    expect(attachPrevented).toBe(true);
  });

  it('answers the app window over IPC from the real station, and nobody else', async () => {
    const profile = (await fake.ipcMain.invoke(
      window.webContents,
      appPage,
      IPC_CHANNELS.call,
      'profiles.add',
      {
        name: 'Wired',
      },
    )) as { result: { id: string; name: string } };
    expect(profile.result.name).toBe('Wired');
    const status = (await fake.ipcMain.invoke(
      window.webContents,
      appPage,
      IPC_CHANNELS.call,
      'station.status',
      {},
    )) as {
      result: { dataDir: string; mqtt: { port: number }; version: string };
    };
    expect(status.result.dataDir).toBe(path.resolve(dataDir));
    expect(status.result.version).toBe('0.1.0-test');
    mqttPort = status.result.mqtt.port;
    expect(mqttPort).toBeGreaterThan(0);
    const stranger = await fake.ipcMain.invoke(
      new FakeWebContents(),
      appPage,
      IPC_CHANNELS.call,
      'profiles.list',
      {},
    );
    expect(stranger).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    // Station events reach the window.
    await fake.ipcMain.invoke(window.webContents, appPage, IPC_CHANNELS.call, 'devices.add', {
      name: 'CIM-168-02-22-90',
      profileId: profile.result.id,
    });
    await waitFor(() => window.webContents.sent.some((m) => m.channel === IPC_CHANNELS.event), {
      timeoutMs: 10_000,
    });
  });

  it('has the application menu with the station commands', () => {
    const labels = JSON.stringify(fake.menu);
    expect(labels).toContain('Open Data Folder');
    expect(labels).toContain('Export Logs');
    expect(labels).not.toContain('toggleDevTools');
  });

  it('on closing the window: keeps its bounds, quits after closing the station, leaves nothing open', async () => {
    window.close();
    await waitFor(() => fake.app.quitted, { timeoutMs: 10_000 });
    expect(fake.app.quitRequests).toBe(2); // the first is held until the station has closed
    const state = JSON.parse(
      fs.readFileSync(path.join(dataDir, 'window-state.json'), 'utf8'),
    ) as unknown;
    expect(state).toEqual({ x: 10, y: 20, width: 1200, height: 800, maximized: false });
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'field-ota.sqlite-wal'))).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'logs', 'main.log'), 'utf8')).toMatch(
      /INFO station closed/,
    );
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(mqttPort, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('never loaded the real electron module (it would download the binary)', () => {
    const electronIndex = path.join(ROOT, 'node_modules', 'electron', 'index.js');
    expect(Object.keys(createRequire(MAIN).cache)).not.toContain(electronIndex);
  });
});
