/**
 * What the preload exposes as window.fieldOta (FieldOtaBridge, shared/api/bridge.ts):
 * one typed call per API operation, pushed events, and the package upload by file path. Nothing
 * raw: the page never gets ipcRenderer, channel names or Node. This module doesn't import
 * electron, so it is tested under Node; preload.ts hands it the real ipcRenderer.
 */
import type { BridgeAnswer, FieldOtaBridge, FileLike } from '../../shared/api/bridge';
import type { Package } from '../../shared/api/entities';
import { ApiError, type ApiErrorBody } from '../../shared/api/errors';
import type { StationEvent } from '../../shared/api/events';
import { IPC_CHANNELS } from '../../shared/api/ipc-contract';
import { isOperationName, PackageMeta } from '../../shared/api/operations';
import { parseArgs, validationError } from '../../shared/api/validate';

/** The parts of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export type { FieldOtaBridge, FileLike };

/**
 * @param pathForFile Electron's webUtils.getPathForFile: the disk path of a File the user chose
 *   in the file dialog or dropped; '' for a File made in JavaScript (which cannot be uploaded).
 */
export function createBridge(
  ipc: IpcRendererLike,
  pathForFile: (file: FileLike) => string,
): FieldOtaBridge {
  const eventListeners = new Set<(event: StationEvent) => void>();
  const progressListeners = new Map<number, (sentBytes: number) => void>();
  let nextUploadId = 1;

  const onEvent = (_event: unknown, stationEvent: unknown) => {
    for (const listener of [...eventListeners]) {
      try {
        listener(stationEvent as StationEvent);
      } catch (error) {
        // One failing listener must not starve the others of events.
        console.error('field-ota: an event listener failed', error);
      }
    }
  };
  const onProgress = (_event: unknown, uploadId: unknown, sentBytes: unknown) => {
    if (typeof uploadId !== 'number' || typeof sentBytes !== 'number') return;
    progressListeners.get(uploadId)?.(sentBytes);
  };

  return {
    call: async (name, input) => {
      try {
        if (typeof name !== 'string' || !isOperationName(name))
          throw new ApiError('NOT_FOUND', `Unknown operation "${String(name).slice(0, 100)}".`);
        // Checked here for a quick answer, and again in main, which trusts nothing from here.
        const args = parseArgs(name, input);
        return asAnswer(await ipc.invoke(IPC_CHANNELS.call, name, args));
      } catch (error) {
        return { error: errorBody(error) };
      }
    },

    subscribe: (listener) => {
      if (typeof listener !== 'function') throw new TypeError('subscribe needs a function');
      if (eventListeners.size === 0) ipc.on(IPC_CHANNELS.event, onEvent);
      eventListeners.add(listener);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        eventListeners.delete(listener);
        if (eventListeners.size === 0) ipc.removeListener(IPC_CHANNELS.event, onEvent);
      };
    },

    uploadPackage: (meta, file, progress) => {
      const uploadId = nextUploadId++;
      const start = async (): Promise<BridgeAnswer<Package>> => {
        const parsed = PackageMeta.safeParse(meta);
        if (!parsed.success) throw validationError('package upload', parsed.error);
        const filePath = diskPathOf(file, pathForFile);
        if (typeof progress === 'function') {
          if (progressListeners.size === 0) ipc.on(IPC_CHANNELS.uploadProgress, onProgress);
          progressListeners.set(uploadId, progress);
        }
        try {
          return asAnswer(
            await ipc.invoke(IPC_CHANNELS.uploadStart, uploadId, parsed.data, filePath),
          );
        } finally {
          if (progressListeners.delete(uploadId) && progressListeners.size === 0)
            ipc.removeListener(IPC_CHANNELS.uploadProgress, onProgress);
        }
      };
      const done = start().catch((error: unknown) => ({ error: errorBody(error) }));
      return {
        done,
        cancel: () => {
          // The answer to the upload itself tells the outcome ("cancelled", or done if too late).
          ipc.invoke(IPC_CHANNELS.uploadCancel, uploadId).catch(() => undefined);
        },
      };
    },
  };
}

function diskPathOf(file: FileLike, pathForFile: (file: FileLike) => string): string {
  let filePath = '';
  try {
    filePath = pathForFile(file);
  } catch {
    // Not a File at all: refused below like a File that exists only in memory.
  }
  if (typeof filePath !== 'string' || filePath === '') {
    throw new ApiError(
      'BAD_REQUEST',
      'This file cannot be read from disk: choose it with the file dialog or drop it from the file manager.',
      { file: 'is not a file on disk' },
    );
  }
  return filePath;
}

/** Main always answers {result} or {error}; anything else means the IPC itself went wrong. */
function asAnswer<T>(value: unknown): BridgeAnswer<T> {
  if (typeof value === 'object' && value !== null && ('result' in value || 'error' in value))
    return value as BridgeAnswer<T>;
  throw new ApiError('INTERNAL', 'The app answered with an unexpected message.');
}

function errorBody(error: unknown): ApiErrorBody {
  if (error instanceof ApiError) return error.toBody();
  // e.g. "An object could not be cloned" for input that isn't plain data; no stack to the page.
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `The request could not be sent to the app: ${message}` };
}
