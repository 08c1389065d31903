import type { FieldOtaBridge } from './transport';

// Kept apart from transport.ts so the Electron preload can import the bridge's types without
// this page-side declaration.
declare global {
  interface Window {
    /** Present only in the Electron app (contextBridge); absent in a browser. */
    fieldOta?: FieldOtaBridge;
  }
}
