'use strict';
/**
 * What the packaged app needs at run time, checked against what electron-builder packs.
 *
 * electron-builder copies only the files matched by `build.files` (and the production
 * dependencies from node_modules). A file that main requires but the patterns miss is absent
 * from the asar: the installed app stops with MODULE_NOT_FOUND before its window opens, while
 * everything run from dist/ works. So: follow every `require` from the built entry points,
 * relative ones to files, bare ones to packages, and match each file with electron-builder's own
 * FileMatcher (the minimatch filter it packs with).
 */
const fs = require('node:fs');
const { isBuiltin } = require('node:module');
const path = require('node:path');
const ts = require('typescript');
const { FileMatcher } = require('app-builder-lib/out/fileMatcher');

/** Modules the Electron runtime provides itself (no package to pack). */
const ELECTRON_MODULES = new Set(['electron', 'original-fs']);

/** The file the app starts from and the one its window loads as preload, both built. */
function entryPoints(pkg) {
  return [pkg.main, 'dist/electron/preload/preload.bundle.js'];
}

/** `lodash/fp` → lodash, `@scope/pkg/x` → @scope/pkg. */
function packageName(request) {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The modules a built JavaScript file loads: `require('x')` and `import('x')` with a literal. */
function requestsOf(file) {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return importedFiles.map((ref) => ref.fileName);
}

/**
 * Every file reachable by require from the entries (paths relative to root, `/`-separated), the
 * packages required by name (with the first file that requires each), and the requests that
 * resolve to nothing.
 */
function requireClosure(root, entries) {
  const files = new Set();
  const packages = new Map();
  const unresolved = [];
  const pending = entries.map((entry) => path.resolve(root, entry));
  while (pending.length > 0) {
    const file = pending.pop();
    const relative = path.relative(root, file).split(path.sep).join('/');
    if (files.has(relative)) continue;
    files.add(relative);
    for (const request of requestsOf(file)) {
      if (isBuiltin(request) || ELECTRON_MODULES.has(request)) continue;
      if (request.startsWith('.') || path.isAbsolute(request)) {
        try {
          pending.push(require.resolve(request, { paths: [path.dirname(file)] }));
        } catch {
          unresolved.push({ from: relative, request });
        }
        continue;
      }
      const name = packageName(request);
      if (!packages.has(name)) packages.set(name, relative);
    }
  }
  return { files: [...files].sort(), packages, unresolved };
}

/** Whether electron-builder's filter for these `files` patterns keeps the file (and its folders). */
function packedBy(root, patterns) {
  const filter = new FileMatcher(root, root, (p) => p, patterns).createFilter();
  return (relative) => {
    const parts = relative.split('/');
    // electron-builder walks the tree and never enters a folder its filter drops.
    return parts.every((_, i) => {
      const full = path.join(root, ...parts.slice(0, i + 1));
      return filter(full, fs.statSync(full));
    });
  };
}

/**
 * The closure of the built app against package.json: files required but not packed, packages
 * required but not production dependencies (electron-builder packs only those), requests that
 * resolve to nothing. Needs the app built (npm run build).
 */
function checkPackageClosure(root, pkg, patterns = pkg.build.files) {
  const { files, packages, unresolved } = requireClosure(root, entryPoints(pkg));
  const packed = packedBy(root, patterns);
  const production = new Set(Object.keys(pkg.dependencies ?? {}));
  return {
    files,
    packages: [...packages.keys()].sort(),
    notPacked: files.filter((file) => !packed(file)),
    notProduction: [...packages]
      .filter(([name]) => !production.has(name))
      .map(([name, from]) => ({ name, from })),
    unresolved,
  };
}

module.exports = { entryPoints, requireClosure, checkPackageClosure };
