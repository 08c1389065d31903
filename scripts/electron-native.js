'use strict';
/**
 * better-sqlite3 is a native addon: built for Node by npm ci (CLI, tests), it must be rebuilt
 * for Electron's ABI before the desktop app can open its database. These helpers find out which
 * one is installed by loading it in the Electron binary run as Node, and rebuild it when needed.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { root } = require('./electron-binary');

const PROBE = "new (require('better-sqlite3'))(':memory:').close()";

/** Whether better-sqlite3 opens a database inside Electron; `detail` says why not. */
function sqliteLoadsInElectron(binary) {
  const result = spawnSync(binary, ['-e', PROBE], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status === 0) return { ok: true, detail: '' };
  const output = `${result.stderr || ''}${result.error ? result.error.message : ''}`;
  const line =
    output.split('\n').find((l) => /NODE_MODULE_VERSION|was compiled against/.test(l)) ||
    output.trim().split('\n')[0] ||
    `exit ${result.status}`;
  return { ok: false, detail: line.trim() };
}

/**
 * Rebuilds better-sqlite3 for Electron (electron-builder install-app-deps: needs network for
 * Electron's headers or a prebuilt addon). Afterwards plain Node can't load it until
 * `npm rebuild better-sqlite3`.
 */
function rebuildSqliteForElectron() {
  const cli = path.join(root, 'node_modules', 'electron-builder', 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'install-app-deps'], {
    cwd: root,
    stdio: 'inherit',
  });
  return result.status === 0;
}

/** The reverse, for the CLI and the tests: Node's own build of better-sqlite3. */
function rebuildSqliteForNode() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['rebuild', 'better-sqlite3'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return result.status === 0;
}

module.exports = { sqliteLoadsInElectron, rebuildSqliteForElectron, rebuildSqliteForNode };
