import { isAppUrl } from './app-origin';

/**
 * Permissions the page may have: writing to the clipboard (the copy buttons next to tokens and
 * checksums), for our own page only. Everything else (camera, location, notifications from
 * the page, reading the clipboard, HID/USB/serial, fullscreen requests, opening external apps)
 * is refused: main shows the OS notifications itself.
 */
export const ALLOWED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

export function isPermissionAllowed(
  permission: string,
  requestingUrl: string | undefined,
): boolean {
  return (
    ALLOWED_PERMISSIONS.includes(permission) &&
    requestingUrl !== undefined &&
    isAppUrl(requestingUrl)
  );
}
