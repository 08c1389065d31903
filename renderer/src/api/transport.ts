/**
 * The renderer's only door to the station: the typed API of shared/api (operations and pushed
 * events) plus the package upload, over whichever transport is present.
 */
import type {
  BridgeAnswer,
  BridgeUpload,
  FieldOtaBridge as SharedFieldOtaBridge,
} from '../../../shared/api/bridge';
import type { Package } from '../../../shared/api/entities';
import { UPLOAD_CANCELLED_MESSAGE } from '../../../shared/api/errors';
import type { StationEvent } from '../../../shared/api/events';
import type { ApiClient, PackageMetaInput } from '../../../shared/api/operations';

/** What the Electron preload exposes as `window.fieldOta` (shared/api/bridge.ts). */
export type FieldOtaBridge = SharedFieldOtaBridge<File>;
export type { BridgeAnswer, BridgeUpload };

/**
 * Whether pushed events are flowing: after a drop everything is reloaded on reconnect.
 * 'refused': the station is back but refuses this page's secret (a headless station restarted
 * with a new one); only its new address helps.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'refused';

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
    super(UPLOAD_CANCELLED_MESSAGE);
    this.name = 'UploadCancelledError';
  }
}
