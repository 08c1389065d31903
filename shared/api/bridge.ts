/**
 * The desktop app's `window.fieldOta`: what the Electron preload exposes and the renderer uses.
 * One definition for both sides, so they cannot drift apart.
 */
import type { Package } from './entities';
import type { ApiErrorBody } from './errors';
import type { StationEvent } from './events';
import type {
  OperationInput,
  OperationName,
  OperationResult,
  PackageMetaInput,
} from './operations';

/**
 * An answer that crosses IPC and Electron's contextBridge intact. Errors thrown across them lose
 * their class and fields (only the message survives), so refusals travel as the API's error body
 * (never a stack) and the bridge resolves with either the result or that body.
 */
export type BridgeAnswer<T> = { result: T } | { error: ApiErrorBody };

/** A running upload: its outcome, and a way to stop it (nothing is imported when cancelled). */
export interface BridgeUpload {
  readonly done: Promise<BridgeAnswer<Package>>;
  cancel(): void;
}

/** The little of a DOM File the preload needs (the Node side has no DOM typings). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
}

/**
 * `F` is the DOM File in the renderer and a FileLike in the preload. Main validates the sender
 * and the arguments against shared/api/operations before running anything.
 */
export interface FieldOtaBridge<F extends FileLike = FileLike> {
  call<N extends OperationName>(
    name: N,
    input: OperationInput<N>,
  ): Promise<BridgeAnswer<OperationResult<N>>>;
  /** Every StationEvent the core emits; returns the function that unsubscribes. */
  subscribe(listener: (event: StationEvent) => void): () => void;
  /**
   * Streams the file from disk to the station's package import (the preload resolves the File to
   * its path, so the binary never passes through the renderer's memory whole). `onProgress`
   * receives the bytes read so far.
   */
  uploadPackage(
    meta: PackageMetaInput,
    file: F,
    onProgress?: (sentBytes: number) => void,
  ): BridgeUpload;
}
