import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder with the app's package.json: the nearest one above this file, both when running
 * from the sources (vitest, tsx) and from dist/ (built CLI, packaged app).
 */
export function appRoot(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 10; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

export function appVersion(): string {
  const root = appRoot();
  if (root === null) return '0.0.0';
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
