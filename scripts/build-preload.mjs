/**
 * Bundles electron/preload/preload.ts with its imports into one file. A sandboxed preload can
 * only require electron's own renderer modules, not our other files, so tsc's one-file-per-
 * module output can't run there. Output: dist/electron/preload/preload.bundle.js (CommonJS,
 * `electron` left as the only require). Part of `npm run build:node`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export const PRELOAD_ENTRY = path.join(root, 'electron', 'preload', 'preload.ts');
export const PRELOAD_BUNDLE_NAME = 'preload.bundle.js';

/** Builds the bundle into outDir; returns its path. */
export async function buildPreload(outDir = path.join(root, 'dist', 'electron', 'preload')) {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: false,
      reportCompressedSize: false,
      lib: {
        entry: PRELOAD_ENTRY,
        formats: ['cjs'],
        fileName: () => PRELOAD_BUNDLE_NAME,
      },
      rollupOptions: { external: ['electron'] },
    },
  });
  return path.join(outDir, PRELOAD_BUNDLE_NAME);
}

// `node scripts/build-preload.mjs [outDir]`
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = await buildPreload(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(`preload bundle: ${path.relative(root, file)}\n`);
}
