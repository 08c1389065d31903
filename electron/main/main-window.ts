/** Electron wiring of the one app window: secure options, kept bounds, theme-matched background. */
import path from 'node:path';

import { BrowserWindow, nativeTheme, screen } from 'electron';

import type { Log } from '../core/log';
import { APP_ENTRY_URL } from './app-origin';
import { mainWindowOptions } from './window-options';
import { loadWindowState, saveWindowState, WINDOW_STATE_FILE } from './window-state';

export interface MainWindowInput {
  dataDir: string;
  preloadPath: string;
  devTools: boolean;
  log: Log;
}

export function createMainWindow(input: MainWindowInput): BrowserWindow {
  const stateFile = path.join(input.dataDir, WINDOW_STATE_FILE);
  const state = loadWindowState(
    stateFile,
    screen.getAllDisplays().map((display) => display.workArea),
  );
  const window = new BrowserWindow(
    mainWindowOptions({
      state,
      preloadPath: input.preloadPath,
      devTools: input.devTools,
      darkBackground: nativeTheme.shouldUseDarkColors,
    }),
  );
  if (state.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());

  // Saved when closing (not on every move): one small atomic write.
  window.on('close', () => {
    try {
      saveWindowState(stateFile, { ...window.getNormalBounds(), maximized: window.isMaximized() });
    } catch (error) {
      input.log('warning', `window position not saved: ${String(error)}`);
    }
  });
  const onTheme = () => {
    if (!window.isDestroyed())
      window.setBackgroundColor(nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff');
  };
  nativeTheme.on('updated', onTheme);
  window.on('closed', () => nativeTheme.off('updated', onTheme));

  let reloads = 0;
  window.webContents.on('render-process-gone', (_event, details) => {
    input.log(
      'error',
      `the window's renderer is gone: ${details.reason} (exit ${details.exitCode})`,
    );
    // One reload after a crash; a page that crashes again stays down rather than loop.
    if (details.reason !== 'clean-exit' && reloads++ === 0 && !window.isDestroyed())
      window.webContents.reload();
  });

  window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    input.log('error', `the UI did not load: ${String(error)}`);
  });
  return window;
}
