/**
 * Launching the real desktop app with Playwright's Electron driver, where it can run: the
 * Electron binary installed (found without require('electron'), which would download it), a
 * display on Linux, and better-sqlite3's Electron build (npm start makes it). Elsewhere the tests are skipped with
 * one line saying why; they never pass without running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { _electron, type ElectronApplication, type Page } from 'playwright-core';

import { electronBinary } from '../../../scripts/electron-binary';
import { ELECTRON_BINDING, sqliteLoadsInElectron } from '../../../scripts/electron-native';

export const ROOT = path.join(__dirname, '..', '..', '..');

function whyNotRunnable(): string | null {
  const binary = electronBinary();
  if (binary === null) return 'Electron binary not installed';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return 'no display for Electron (run the tests under xvfb-run)';
  const sqlite = sqliteLoadsInElectron(binary);
  if (!sqlite.ok) {
    return `better-sqlite3 has no Electron build (${sqlite.detail}); run \`npm start\` once to build it`;
  }
  return null;
}

/** Null when the desktop app can be launched here; else the reason, printed once per file. */
export const skipReason: string | null = whyNotRunnable();
if (skipReason !== null) process.stdout.write(`skipped: ${skipReason}\n`);

export interface RunningApp {
  app: ElectronApplication;
  page: Page;
  dataDir: string;
  /** Console errors and uncaught exceptions of the page (CSP violations included). */
  problems: string[];
  /** Quits the app the way the menu does (the station closes first); keeps the data folder. */
  quit(): Promise<void>;
  /** Quits if still running, then removes the data folder. */
  cleanUp(): Promise<void>;
}

export async function launchDesktopApp(): Promise<RunningApp> {
  const binary = electronBinary();
  if (binary === null) throw new Error('Electron binary not installed');
  for (const file of [
    'dist/electron/main/main.js',
    'dist/electron/preload/preload.bundle.js',
    'dist/renderer/index.html',
  ]) {
    if (!fs.existsSync(path.join(ROOT, file)))
      throw new Error(`${file} is missing: run npm run build before the Electron tests`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-desktop-'));
  const app = await _electron.launch({
    executablePath: binary,
    args: [ROOT],
    cwd: ROOT,
    env: {
      ...(process.env as Record<string, string>),
      FIELD_OTA_DATA_DIR: dataDir,
      FIELD_OTA_MQTT_PORT: '0',
      FIELD_OTA_SQLITE_BINDING: ELECTRON_BINDING,
    },
    timeout: 60_000,
  });
  const page = await app.firstWindow();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.waitForLoadState('domcontentloaded');
  let quitting: Promise<void> | undefined;
  const quit = () => (quitting ??= app.close());
  return {
    app,
    page,
    dataDir,
    problems,
    quit,
    cleanUp: async () => {
      await quit().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
