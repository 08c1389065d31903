/**
 * The IPC between the preload and main: channel names and message shapes. Both sides import
 * this file; the renderer never sees it (it only sees the bridge's functions).
 */

export const IPC_CHANNELS = {
  /** invoke(name, input) -> BridgeAnswer<result> */
  call: 'field-ota:call',
  /** invoke(uploadId, meta, filePath) -> BridgeAnswer<Package> */
  uploadStart: 'field-ota:upload-start',
  /** invoke(uploadId) -> BridgeAnswer<{ cancelled: boolean }> */
  uploadCancel: 'field-ota:upload-cancel',
  /** main -> renderer: (uploadId, sentBytes) */
  uploadProgress: 'field-ota:upload-progress',
  /** main -> renderer: (StationEvent) */
  event: 'field-ota:event',
} as const;

export type { BridgeAnswer } from './bridge';

/** Upload ids are numbered by the preload, per window. */
export function isUploadId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}
