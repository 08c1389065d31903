import { isIPv4, isIPv6 } from 'node:net';

/** Whether binding to `host` keeps the server reachable from this computer only. */
export function isLoopbackHost(host: string): boolean {
  const h = stripBrackets(host.trim().toLowerCase());
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** How a host is written in a URL: IPv6 literals need brackets. */
export function hostForUrl(host: string): string {
  const h = stripBrackets(host);
  return isIPv6(h) ? `[${h}]` : h;
}
