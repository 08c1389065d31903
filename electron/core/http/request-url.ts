import type { IncomingMessage } from 'node:http';

/** The request target as a URL (only its path and query matter); null when it can't be parsed. */
export function parseRequestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  // Origin-form only ("/path?query"): absolute or "//host" targets would smuggle in a host of their own.
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return null;
  try {
    return new URL(target, 'http://station.invalid');
  } catch {
    return null;
  }
}
