/**
 * Main's end of the bridge: every IPC handler first checks that the message comes from the app's
 * own page, then validates the arguments with the shared schemas, then calls the station. All
 * outcomes resolve as BridgeAnswers. This module doesn't import electron: main.ts passes the
 * real ipcMain, the tests a registry of the same shape.
 */
import type { Readable } from 'node:stream';

import type { Package } from '../../shared/api/entities';
import { ApiError } from '../../shared/api/errors';
import type { StationEvent } from '../../shared/api/events';
import { type BridgeAnswer, IPC_CHANNELS, isUploadId } from '../../shared/api/ipc-contract';
import type { ApiHandlers, PackageMeta } from '../../shared/api/operations';
import { dispatch } from '../core/api/dispatch';
import { toErrorBody } from '../core/api/error-body';
import type { Log } from '../core/log';
import { importPackageFromDisk } from './package-upload';
import { type FrameLike, senderRefusal } from './sender-check';

/** The parts of Electron's WebContents the binding uses. */
export interface IpcSender {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** The parts of Electron's IpcMainInvokeEvent the binding uses. */
export interface IpcInvokeEvent {
  readonly sender: IpcSender;
  readonly senderFrame: FrameLike | null;
}

/** The parts of Electron's ipcMain the binding uses. */
export interface IpcMainLike {
  handle(
    channel: string,
    // Electron's own signature: the arguments are whatever the other side sent.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    listener: (event: IpcInvokeEvent, ...args: any[]) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

export interface StationPort {
  readonly api: ApiHandlers;
  importPackage(meta: PackageMeta, source: Readable): Promise<Package>;
}

export interface IpcBindingOptions {
  ipc: IpcMainLike;
  station: StationPort;
  /** The web contents id of the app window, or null while there is none. */
  trustedWebContentsId(): number | null;
  log: Log;
}

export interface IpcBinding {
  /** Uploads still reading from disk. */
  readonly runningUploads: number;
  /**
   * Removes the handlers, cancels running uploads and waits until each has removed its partial
   * file: called before the station closes.
   */
  dispose(): Promise<void>;
}

/** A window may not hog the disk and the import with more uploads than this at once. */
export const MAX_UPLOADS_PER_WINDOW = 4;

export function bindStationIpc(options: IpcBindingOptions): IpcBinding {
  const { ipc, station, log } = options;
  const uploads = new Map<string, AbortController>();
  const settling = new Set<Promise<unknown>>();

  /** The refusal answer for a message from anywhere but the app's page; logged, since it means an attack or a bug. */
  const refusal = (event: IpcInvokeEvent, channel: string): BridgeAnswer<never> | null => {
    const reason = senderRefusal(event, options.trustedWebContentsId());
    if (reason === null) return null;
    log('warning', `IPC ${channel} refused: ${reason}`);
    return {
      error: { code: 'UNAUTHORIZED', message: `Refused: ${reason}.` },
    };
  };

  const answer = async <T>(context: string, run: () => Promise<T>): Promise<BridgeAnswer<T>> => {
    try {
      return { result: await run() };
    } catch (error) {
      return { error: toErrorBody(error, log, context) };
    }
  };

  ipc.handle(IPC_CHANNELS.call, async (event: IpcInvokeEvent, name: unknown, input: unknown) => {
    const refused = refusal(event, IPC_CHANNELS.call);
    if (refused) return refused;
    return answer(`operation ${String(name).slice(0, 100)}`, () =>
      dispatch(station.api, name, input),
    );
  });

  ipc.handle(
    IPC_CHANNELS.uploadStart,
    async (event: IpcInvokeEvent, uploadId: unknown, meta: unknown, filePath: unknown) => {
      const refused = refusal(event, IPC_CHANNELS.uploadStart);
      if (refused) return refused;
      return answer('package upload', async () => {
        if (!isUploadId(uploadId)) throw new ApiError('BAD_REQUEST', 'Bad upload id.');
        const key = uploadKey(event.sender.id, uploadId);
        if (uploads.has(key)) throw new ApiError('CONFLICT', 'This upload is already running.');
        const mine = [...uploads.keys()].filter((k) => k.startsWith(`${event.sender.id}:`));
        if (mine.length >= MAX_UPLOADS_PER_WINDOW) {
          throw new ApiError(
            'CONFLICT',
            `${MAX_UPLOADS_PER_WINDOW} uploads are already running: wait for one to finish.`,
          );
        }
        const controller = new AbortController();
        uploads.set(key, controller);
        const upload = importPackageFromDisk((m, source) => station.importPackage(m, source), {
          meta,
          filePath,
          signal: controller.signal,
          onProgress: (sentBytes) => {
            if (!event.sender.isDestroyed())
              event.sender.send(IPC_CHANNELS.uploadProgress, uploadId, sentBytes);
          },
        });
        settling.add(upload);
        try {
          return await upload;
        } finally {
          uploads.delete(key);
          settling.delete(upload);
        }
      });
    },
  );

  ipc.handle(IPC_CHANNELS.uploadCancel, async (event: IpcInvokeEvent, uploadId: unknown) => {
    const refused = refusal(event, IPC_CHANNELS.uploadCancel);
    if (refused) return refused;
    return answer('upload cancel', async () => {
      if (!isUploadId(uploadId)) throw new ApiError('BAD_REQUEST', 'Bad upload id.');
      const controller = uploads.get(uploadKey(event.sender.id, uploadId));
      controller?.abort();
      return { cancelled: controller !== undefined };
    });
  });

  return {
    get runningUploads() {
      return uploads.size;
    },
    dispose: async () => {
      for (const channel of [
        IPC_CHANNELS.call,
        IPC_CHANNELS.uploadStart,
        IPC_CHANNELS.uploadCancel,
      ])
        ipc.removeHandler(channel);
      for (const controller of uploads.values()) controller.abort();
      await Promise.allSettled([...settling]);
    },
  };
}

function uploadKey(webContentsId: number, uploadId: number): string {
  return `${webContentsId}:${uploadId}`;
}

/** Sends every station event to the app window while it exists; returns the unsubscribe. */
export function forwardStationEvents(
  events: { subscribe(listener: (event: StationEvent) => void): () => void },
  target: () => Pick<IpcSender, 'send' | 'isDestroyed'> | null,
): () => void {
  return events.subscribe((event) => {
    const sender = target();
    if (sender && !sender.isDestroyed()) sender.send(IPC_CHANNELS.event, event);
  });
}
