import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { contentTypeOf } from '../core/http/static-files';
import { isAppUrl } from './app-origin';

// The callback forms: Electron's asar support patches them (the packaged renderer is inside app.asar).
const realpath = promisify(fs.realpath);
const stat = promisify(fs.stat);

/** What an app:// request resolves to: one regular file inside the renderer folder, or a refusal. */
export type AppResource =
  | { kind: 'file'; path: string; size: number; contentType: string }
  | { kind: 'refused'; status: 400 | 403 | 404 | 405; reason: string };

/**
 * Maps an app:// request to a file of the built renderer. Anything that could lead outside the
 * folder is refused: encoded "..", backslashes, NUL, and symlinks whose target lies elsewhere
 * (checked on the real path, after resolution). A folder means its index.html.
 */
export async function resolveAppResource(
  requestUrl: string,
  method: string,
  root: string,
): Promise<AppResource> {
  if (method !== 'GET' && method !== 'HEAD')
    return { kind: 'refused', status: 405, reason: `${method} is not allowed` };
  if (!isAppUrl(requestUrl))
    return { kind: 'refused', status: 403, reason: 'not an app://field-ota URL' };
  const relative = decodedPath(requestUrl);
  if (relative === null) return { kind: 'refused', status: 400, reason: 'bad path' };

  const realRoot = await realpath(root).catch(() => null);
  if (realRoot === null) return { kind: 'refused', status: 404, reason: 'the UI is not built' };
  const file = await fileInside(realRoot, relative, 0);
  if (file === null) return { kind: 'refused', status: 404, reason: 'not found' };
  return { kind: 'file', ...file, contentType: contentTypeOf(file.path) };
}

/** The decoded path of the URL, or null when it is malformed or tries to climb out. */
export function decodedPath(requestUrl: string): string | null {
  let pathname: string;
  try {
    // URL parsing resolves literal "/../"; encoded forms ("%2e%2e%2f") only appear once decoded.
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname.split('/').some((segment) => segment === '..')) return null;
  return pathname === '' ? '/' : pathname;
}

async function fileInside(
  root: string,
  relative: string,
  depth: number,
): Promise<{ path: string; size: number } | null> {
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${relative}`)}`);
  const real = await realpath(candidate).catch(() => null);
  if (real === null || !isInside(root, real)) return null;
  const info = await stat(real).catch(() => null);
  if (info === null) return null;
  if (info.isDirectory())
    return depth === 0 ? fileInside(root, path.posix.join(relative, 'index.html'), 1) : null;
  return info.isFile() ? { path: real, size: info.size } : null;
}

export function isInside(root: string, candidate: string): boolean {
  return (
    candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep)
  );
}
