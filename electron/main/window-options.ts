import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

import type { WindowState } from './window-state';

export const MIN_WIDTH = 960;
export const MIN_HEIGHT = 600;

/**
 * The renderer's sandbox. Every item is the secure choice stated explicitly, even where it is
 * Electron's default, so a later default change or an edit here is caught by the checklist test.
 */
export function secureWebPreferences(preloadPath: string, devTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // A file dropped outside the drop zone would otherwise replace the app with file://.
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools,
  };
}

export interface MainWindowInput {
  state: WindowState;
  preloadPath: string;
  /** DevTools only when running from the sources, never in an installed app. */
  devTools: boolean;
  darkBackground: boolean;
}

export function mainWindowOptions(input: MainWindowInput): BrowserWindowConstructorOptions {
  const { state } = input;
  return {
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    title: 'ServicePleX Field OTA',
    // Shown on 'ready-to-show': no white flash before the first paint, matching the OS theme.
    show: false,
    backgroundColor: input.darkBackground ? '#16181d' : '#ffffff',
    webPreferences: secureWebPreferences(input.preloadPath, input.devTools),
  };
}
