/**
 * Where the renderer lives: app://field-ota/, a custom scheme registered as standard and secure.
 * Everything that decides "is this our own page?" (navigation, IPC senders, permissions) asks
 * isAppUrl, so the answer is the same everywhere.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'field-ota';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** A URL of the app's own origin: app://field-ota with no port or credentials. */
export function isAppUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  // Node's URL parser gives non-special schemes an opaque "null" origin: compare the parts.
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.hostname === APP_HOST &&
    url.port === '' &&
    url.username === '' &&
    url.password === ''
  );
}
