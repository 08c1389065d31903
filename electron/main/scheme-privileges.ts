import type { Privileges } from 'electron';

/**
 * How app:// is registered. Standard + secure make it behave like an https origin (its own
 * origin for storage and same-origin checks, module scripts, a secure context); nothing
 * bypasses the CSP and no service worker may install itself.
 */
export const APP_SCHEME_PRIVILEGES: Privileges = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  codeCache: true,
  bypassCSP: false,
  allowServiceWorkers: false,
  corsEnabled: false,
  stream: false,
};
