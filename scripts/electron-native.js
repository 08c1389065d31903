'use strict';
/**
 * better-sqlite3 is a native addon: npm ci builds it for Node (CLI, tests, headless station).
 * The desktop app run from source (npm start) needs it built for Electron's ABI. Rather than
 * rebuilding node_modules' copy in place (which breaks Node until the next rebuild), an
 * Electron build is kept beside it, in node_modules/.field-ota-electron/, and handed to the app
 * through FIELD_OTA_SQLITE_BINDING (better-sqlite3's `nativeBinding` option). A packaged app
 * needs none of this: electron-builder rebuilds the addon inside the package.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root } = require('./electron-binary');

const SOURCE = path.join(root, 'node_modules', 'better-sqlite3');
/** FIELD_OTA_ELECTRON_BUILD_DIR: elsewhere (the tests build into a temporary folder). */
const SIDE_DIR =
  process.env.FIELD_OTA_ELECTRON_BUILD_DIR ||
  path.join(root, 'node_modules', '.field-ota-electron', 'better-sqlite3');
/** Where the Electron build of the addon lives. */
const ELECTRON_BINDING = path.join(SIDE_DIR, 'build', 'Release', 'better_sqlite3.node');

const PROBE =
  "const B=require('better-sqlite3');const o=process.env.PROBE_BINDING?{nativeBinding:process.env.PROBE_BINDING}:{};new B(':memory:',o).close()";

/**
 * Whether better-sqlite3 opens a database inside Electron (run as Node), with the given addon
 * (default: the Electron build beside Node's); `detail` says why not.
 */
function sqliteLoadsInElectron(binary, binding = ELECTRON_BINDING) {
  if (binding && !fs.existsSync(binding))
    return { ok: false, detail: `no Electron build at ${binding}` };
  const result = spawnSync(binary, ['-e', PROBE], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', PROBE_BINDING: binding || '' },
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
 * Builds the Electron copy of the addon beside Node's with node-gyp (needs Electron's headers:
 * network, or node-gyp's cache; and a C++ toolchain). Node's build in node_modules is left as
 * it is. True on success; false, after node-gyp has said why, when it could not.
 */
function buildSqliteForElectron() {
  const electronVersion = require(
    path.join(root, 'node_modules', 'electron', 'package.json'),
  ).version;
  fs.rmSync(SIDE_DIR, { recursive: true, force: true });
  fs.cpSync(SOURCE, SIDE_DIR, {
    recursive: true,
    filter: (src) => !src.startsWith(path.join(SOURCE, 'build')),
  });
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] });
  const result = spawnSync(
    process.execPath,
    [
      nodeGyp,
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      '--dist-url=https://electronjs.org/headers',
    ],
    // An npm-configured nodedir (Node's own headers, for offline builds) would override
    // --target and build an addon Electron refuses: this build needs Electron's headers.
    { cwd: SIDE_DIR, stdio: 'inherit', env: withoutNodedir(process.env) },
  );
  return result.status === 0 && fs.existsSync(ELECTRON_BINDING);
}

function withoutNodedir(env) {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => key.toLowerCase() !== 'npm_config_nodedir'),
  );
}

/**
 * electron-builder rebuilds node_modules' better-sqlite3 for Electron while packaging; this puts
 * Node's own build back for the CLI and the tests. True on success.
 */
function rebuildSqliteForNode() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['rebuild', 'better-sqlite3'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return result.status === 0;
}

module.exports = {
  ELECTRON_BINDING,
  sqliteLoadsInElectron,
  buildSqliteForElectron,
  rebuildSqliteForNode,
};
