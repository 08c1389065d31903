/**
 * The preload of the app window (sandboxed: only electron's renderer modules are available, so
 * this file is bundled with its imports into preload.bundle.js by scripts/build-preload.mjs).
 * It exposes the bridge and nothing else.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { config } from 'zod';

import { createBridge, type FileLike } from './bridge';

// zod probes `new Function` once; under the page's CSP that probe is reported as a violation.
config({ jitless: true });

contextBridge.exposeInMainWorld(
  'fieldOta',
  createBridge(ipcRenderer, (file: FileLike) =>
    webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]),
  ),
);
