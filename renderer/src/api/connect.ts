import { createBridgeTransport } from './bridge-transport';
import { createHttpTransport } from './http-transport';
import type { StationTransport } from './transport';

const TOKEN_KEY = 'field-ota.http-token';

/**
 * Electron's preload when present, else the station that served this page. A station bound to
 * the site network needs a token: opened as `...?token=<secret>`, it is kept for the tab's life
 * (sessionStorage) and removed from the address bar so it isn't shared by copying the URL.
 */
export function connectToStation(): StationTransport {
  if (window.fieldOta) return createBridgeTransport(window.fieldOta);
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  return createHttpTransport(window.location.origin, token);
}
