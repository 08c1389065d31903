import { isAppUrl } from './app-origin';

/**
 * Sites the app may open in the user's browser (never inside the app). Documentation of the
 * platform the technicians know; the signed-in cloud's own host is added at run time.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['thingsboard.io', 'www.thingsboard.io'];

/** An https URL without credentials whose host is exactly one of the allowed ones. */
export function isAllowedExternalUrl(raw: string, extraHosts: Iterable<string> = []): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return false;
  const host = url.hostname.toLowerCase();
  return (
    EXTERNAL_LINK_HOSTS.includes(host) || [...extraHosts].some((h) => h.toLowerCase() === host)
  );
}

export type NavigationDecision = 'allow' | 'open-externally' | 'deny';

/**
 * What to do when the page tries to go to `url` (link, location change, redirect, new window):
 * stay only within the app's own origin; allowed sites go to the user's browser; the rest is
 * refused. New windows are never opened inside the app (`allowInApp` false).
 */
export function navigationDecision(
  url: string,
  extraHosts: Iterable<string> = [],
  allowInApp = true,
): NavigationDecision {
  if (isAppUrl(url)) return allowInApp ? 'allow' : 'deny';
  return isAllowedExternalUrl(url, extraHosts) ? 'open-externally' : 'deny';
}

/** Host of the signed-in cloud, for the external-link allow-list (null when not https). */
export function cloudLinkHost(cloudUrl: string | null): string | null {
  if (!cloudUrl) return null;
  try {
    const url = new URL(cloudUrl);
    return url.protocol === 'https:' ? url.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

/**
 * Requests the page's session may make at all. The renderer's files come over app://; DevTools
 * uses devtools://; data: images are in the CSP; blob: of our own origin is what the page saves
 * (a job report). Anything else (http, https, ws, file) is remote or local content the app
 * never loads.
 */
export function isAllowedRequest(raw: string): boolean {
  if (isAppUrl(raw)) return true;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'blob:') return isAppUrl(url.pathname); // e.g. a report the page saves
  return url.protocol === 'devtools:' || url.protocol === 'data:';
}
