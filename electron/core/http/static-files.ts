import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import { appRoot } from './app-root';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** Where `npm run build` puts the renderer. */
export function defaultStaticDir(): string {
  return path.join(appRoot() ?? process.cwd(), 'dist', 'renderer');
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ServicePleX Field OTA station</title></head>
<body><h1>ServicePleX Field OTA station</h1>
<p>The station is running, but its user interface isn't built. Run <code>npm run build</code>, then reload this page.</p>
<p>The API answers at <code>/api/call/&lt;operation&gt;</code> and events at <code>/api/events</code>.</p>
</body></html>
`;

/**
 * GET/HEAD of the built renderer. Paths without an extension are client-side routes and get
 * index.html (SPA fallback); a missing asset is a plain 404.
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  root: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return sendText(req, res, 405, 'Method not allowed\n');
  }
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    return sendText(req, res, 400, 'Bad path\n');
  }
  // URL parsing already resolves "/../", but encoded slashes ("..%2f") only appear once decoded.
  if (relative.includes('\0') || relative.split(/[\\/]/).includes('..')) {
    return sendText(req, res, 400, 'Bad path\n');
  }

  const realRoot = await realpath(root).catch(() => null);
  if (realRoot === null) {
    if (path.extname(relative) !== '') return sendText(req, res, 404, 'Not found\n');
    return sendBody(req, res, 200, 'text/html; charset=utf-8', NOT_BUILT_PAGE);
  }

  const file =
    (await resolveFile(realRoot, relative)) ??
    (path.extname(relative) === '' ? await resolveFile(realRoot, '/index.html') : null);
  if (file === null) return sendText(req, res, 404, 'Not found\n');

  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypeOf(file.path));
  res.setHeader('Content-Length', file.size);
  // Revalidate every time: the UI and the station are upgraded together.
  res.setHeader('Cache-Control', 'no-cache');
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await pipeline(createReadStream(file.path), res).catch(() => res.destroy());
}

/** The regular file under `root` that `relative` names, refusing anything (symlinks included) that leads outside it. */
async function resolveFile(
  root: string,
  relative: string,
): Promise<{ path: string; size: number } | null> {
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${relative}`)}`);
  const real = await realpath(candidate).catch(() => null);
  if (real === null || (real !== root && !real.startsWith(root + path.sep))) return null;
  const info = await stat(real).catch(() => null);
  if (info === null) return null;
  if (info.isDirectory()) return resolveFile(root, path.posix.join(relative, 'index.html'));
  return info.isFile() ? { path: real, size: info.size } : null;
}

function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  sendBody(req, res, status, 'text/plain; charset=utf-8', text);
}

function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.setHeader('Cache-Control', 'no-cache');
  res.end(req.method === 'HEAD' ? undefined : text);
}
