/**
 * The Electron main process: one secure window on app://field-ota, the station core running
 * here on the app's data folder, the IPC bridge between them, and the desktop niceties (menu,
 * notifications, dark mode, keychain for cloud tokens). The logic lives in the plain modules
 * next to this file; this one only wires them to Electron.
 */
import path from 'node:path';

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  safeStorage,
  session,
} from 'electron';

import { DEFAULT_HTTP_DEVICE_PORT } from '../../shared/protocol/http-device-api';
import type { Log } from '../core/log';
import { listenErrorHost } from '../core/site-network';
import { defaultDataDir, failedListener, startStation, type Station } from '../core/station';
import { loadAppSettings, SETTINGS_FILE } from './app-settings';
import { type CommandContext, exportLogs, openDataFolder, showAbout } from './desktop-commands';
import { bindStationIpc, forwardStationEvents, type IpcBinding } from './ipc-binding';
import { LogFile, SERVING_MESSAGE } from './log-file';
import { createMainWindow } from './main-window';
import { applicationMenuTemplate } from './menu-template';
import { cloudLinkHost } from './navigation-policy';
import { notifyUpdateOutcomes } from './notifications';
import { chooseSecretStore } from './secret-stores';
import { hardenSession, installAppProtocol, registerAppScheme } from './secure-session';
import { shutdownOnce } from './shutdown';
import { startErrorMessage } from './start-errors';
import { guardWebContents } from './web-contents-guards';

const APP_USER_MODEL_ID = 'com.serviceplex.fieldota';
const SHUTDOWN_TIMEOUT_MS = 15_000;
const RENDERER_ROOT = path.join(__dirname, '..', '..', 'renderer');
const PRELOAD = path.join(__dirname, '..', 'preload', 'preload.bundle.js');

// Before ready: the scheme, the sandbox for every renderer, and one data folder shared with the
// headless station (`field-ota station` finds the same database). FIELD_OTA_DATA_DIR: tests.
registerAppScheme();
app.enableSandbox();
app.setPath('userData', path.resolve(process.env.FIELD_OTA_DATA_DIR || defaultDataDir()));
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

const dataDir = app.getPath('userData');
// A terminal that went away (EPIPE) must not turn the log's echo into a crash.
process.stdout.on('error', () => undefined);
// Echoed to the terminal when run from the sources; an installed GUI app may have no stdout.
const logFile = new LogFile(path.join(dataDir, 'logs'), undefined, (line) => {
  if (!app.isPackaged) process.stdout.write(line);
});
const log: Log = (level, message) => logFile.write(level, message);

let station: Station | null = null;
let binding: IpcBinding | null = null;
let mainWindow: BrowserWindow | null = null;
let stopForwarding: () => void = () => undefined;
const cloudHosts = new Set<string>();

const context: CommandContext = {
  station: () => station,
  window: () => mainWindow,
  logFile,
  log,
};

const shutdown = shutdownOnce(
  async () => {
    log('info', 'shutting down');
    stopForwarding();
    // Uploads first (each removes its partial file), then the station: the MQTT endpoint,
    // then the database, so nothing is left half-written.
    await binding?.dispose();
    await station?.close();
    log('info', 'station closed');
  },
  SHUTDOWN_TIMEOUT_MS,
  () => log('error', `shutdown took over ${SHUTDOWN_TIMEOUT_MS} ms: exiting anyway`),
);

if (!app.requestSingleInstanceLock()) {
  // Another instance owns this data folder and the MQTT port: it is brought to the front instead.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('web-contents-created', (_event, contents) =>
    guardWebContents(contents, { extraHosts: () => cloudHosts, log }),
  );
  app.whenReady().then(start).catch(fail);
  app.on('window-all-closed', () => {
    // macOS keeps the app (and the station serving devices) until Quit, as its apps do.
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (station && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void shutdown().then(() => {
      closed = true;
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

async function start(): Promise<void> {
  log('info', `starting ${app.getName()} ${app.getVersion()} on ${dataDir}`);
  nativeTheme.themeSource = 'system';
  hardenSession(session.defaultSession, log);
  installAppProtocol(session.defaultSession, RENDERER_ROOT, log);

  const settings = loadAppSettings(dataDir, process.env);
  const secretStore = await chooseSecretStore(dataDir, safeStorage, process.platform, (error) =>
    log('warning', `the saved cloud session can't be decrypted (sign in again): ${String(error)}`),
  );
  try {
    station = await startStation({
      dataDir,
      ...(settings.mqttHost !== undefined ? { mqttHost: settings.mqttHost } : {}),
      mqttPort: settings.mqttPort,
      ...(settings.httpDevicePort !== undefined ? { httpDevicePort: settings.httpDevicePort } : {}),
      ...(settings.coapPort !== undefined ? { coapPort: settings.coapPort } : {}),
      version: app.getVersion(),
      secretStore,
      // npm start runs the app from source with an Electron build of better-sqlite3 kept beside
      // Node's; a packaged app has its own, rebuilt by electron-builder.
      ...(!app.isPackaged && process.env.FIELD_OTA_SQLITE_BINDING
        ? { sqliteNativeBinding: process.env.FIELD_OTA_SQLITE_BINDING }
        : {}),
      ...(settings.maxChunkBytes !== undefined ? { maxChunkBytes: settings.maxChunkBytes } : {}),
      ...(settings.telemetryMaxAgeDays !== undefined
        ? { telemetryMaxAgeDays: settings.telemetryMaxAgeDays }
        : {}),
    });
  } catch (error) {
    throw new Error(
      startErrorMessage(
        error,
        failedListener(error) === 'http'
          ? {
              host: listenErrorHost(error, settings.mqttHost),
              port: settings.httpDevicePort ?? DEFAULT_HTTP_DEVICE_PORT,
              name: 'HTTP device API',
              setting: 'httpDevicePort',
            }
          : { host: listenErrorHost(error, settings.mqttHost), port: settings.mqttPort },
        path.join(dataDir, SETTINGS_FILE),
      ),
      { cause: error },
    );
  }
  const running = station;
  log('info', `${SERVING_MESSAGE} ${running.mqttAddress().host}:${running.mqttAddress().port}`);

  binding = bindStationIpc({
    ipc: ipcMain,
    station: running,
    trustedWebContentsId: () =>
      mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.id : null,
    log,
  });
  const notify = notifyUpdateOutcomes(() => mainWindow);
  const stopNotices = running.events.subscribe((event) => {
    notify(event);
    if (event.type === 'cloud.status') rememberCloudHost(event.payload.url);
  });
  const stopEvents = forwardStationEvents(running.events, () =>
    mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null,
  );
  stopForwarding = () => {
    stopNotices();
    stopEvents();
  };
  await running.api['cloud.status']({}).then(
    (status) => rememberCloudHost(status.url),
    () => undefined,
  );

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      applicationMenuTemplate(
        process.platform,
        app.getName(),
        {
          openDataFolder: () => void openDataFolder(context),
          exportLogs: () => void exportLogs(context),
          showAbout: () => void showAbout(context),
        },
        !app.isPackaged,
      ),
    ),
  );
  openWindow();
}

function rememberCloudHost(url: string | null): void {
  cloudHosts.clear();
  const host = cloudLinkHost(url);
  if (host) cloudHosts.add(host);
}

function openWindow(): void {
  mainWindow = createMainWindow({ dataDir, preloadPath: PRELOAD, devTools: !app.isPackaged, log });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

function showWindow(): void {
  if (!mainWindow) {
    if (station) openWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error && error.cause instanceof Error ? error.cause.stack : undefined;
  log('error', `start failed: ${message}${cause ? `\n${cause}` : ''}`);
  dialog.showErrorBox('ServicePleX Field OTA could not start', message);
  // Nothing to close cleanly but what may have opened; then out, with a failure code.
  void shutdown().finally(() => app.exit(1));
}
