/**
 * The policy every app:// response carries. The built renderer needs nothing beyond its own
 * files: no inline or evaluated script, no plugins, no frames, no remote anything. Kept as a
 * directive table so the checklist test can assert each one.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  // React sets styles through the CSSOM, which style-src does not govern: no 'unsafe-inline'.
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  // Under Electron the API goes over IPC: the page has nothing to fetch from anywhere else.
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'frame-src': ["'none'"],
  'worker-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, sources]) => `${name} ${sources.join(' ')}`)
  .join('; ');

/** Headers on every app:// answer, file or refusal, so nothing is ever sniffed, framed or cached stale. */
export function appResponseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    // The UI and the station are upgraded together: always revalidate.
    'Cache-Control': 'no-cache',
  };
}
