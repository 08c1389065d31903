/**
 * The renderer's only door to the station: the typed API of shared/api (operations and pushed
 * events) plus the package upload, over whichever transport is present.
 */
import type { Package } from '../../../shared/api/entities';
import type { ApiErrorBody } from '../../../shared/api/errors';
import type { StationEvent } from '../../../shared/api/events';
import type {
  ApiClient,
  OperationInput,
  OperationName,
  OperationResult,
  PackageMetaInput,
} from '../../../shared/api/operations';

/**
 * An answer that crosses Electron's contextBridge intact. Errors thrown across the bridge lose
 * their class and fields (only the message survives), so the bridge resolves with either the
 * result or the API's error body instead of rejecting.
 */
export type BridgeAnswer<T> = { result: T } | { error: ApiErrorBody };

/** A running upload: its outcome, and a way to stop it (nothing is imported when cancelled). */
export interface BridgeUpload {
  readonly done: Promise<BridgeAnswer<Package>>;
  cancel(): void;
}

/**
 * What the Electron preload exposes as `window.fieldOta` (contextBridge.exposeInMainWorld).
 * Main validates the sender and the arguments against shared/api/operations before running them.
 */
export interface FieldOtaBridge {
  call<N extends OperationName>(
    name: N,
    input: OperationInput<N>,
  ): Promise<BridgeAnswer<OperationResult<N>>>;
  /** Every StationEvent the core emits; returns the function that unsubscribes. */
  subscribe(listener: (event: StationEvent) => void): () => void;
  /**
   * Streams the file from disk to the station's package import (the preload resolves the File to
   * its path, so the binary never passes through the renderer's memory whole).
   * `onProgress` receives the bytes read so far.
   */
  uploadPackage(
    meta: PackageMetaInput,
    file: File,
    onProgress?: (sentBytes: number) => void,
  ): BridgeUpload;
}

/** Whether pushed events are flowing: after a drop everything is reloaded on reconnect. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

export interface PackageUpload {
  /** Rejects with ApiError (refused), UploadCancelledError, or StationUnreachableError. */
  readonly done: Promise<Package>;
  cancel(): void;
}

/** What the whole renderer uses, whatever carries it. */
export interface StationTransport extends ApiClient {
  readonly kind: 'electron' | 'http';
  subscribe(listener: (event: StationEvent) => void): () => void;
  /** Called at once with the current state, then on every change. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  uploadPackage(
    meta: PackageMetaInput,
    file: File,
    onProgress: (progress: UploadProgress) => void,
  ): PackageUpload;
  close(): void;
}

export class UploadCancelledError extends Error {
  constructor() {
    super('Upload cancelled: nothing was added.');
    this.name = 'UploadCancelledError';
  }
}
