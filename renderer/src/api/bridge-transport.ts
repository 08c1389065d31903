import { unwrapAnswer } from './answers';
import type { FieldOtaBridge, StationTransport } from './transport';

/** Electron: the preload's bridge. IPC doesn't drop, so the connection is always open. */
export function createBridgeTransport(bridge: FieldOtaBridge): StationTransport {
  return {
    kind: 'electron',
    call: async (name, input) => unwrapAnswer(await bridge.call(name, input)),
    subscribe: (listener) => bridge.subscribe(listener),
    onConnection: (listener) => {
      listener('open');
      return () => undefined;
    },
    uploadPackage: (meta, file, onProgress) => {
      const upload = bridge.uploadPackage(meta, file, (sentBytes) =>
        onProgress({ sentBytes, totalBytes: file.size }),
      );
      return { done: upload.done.then(unwrapAnswer), cancel: () => upload.cancel() };
    },
    close: () => undefined,
  };
}
