#!/usr/bin/env node
'use strict';
/**
 * npm run dist: the installers, with electron-builder (config: package.json "build").
 *   npm run dist                  installers for this computer's platform
 *   npm run dist -- --linux       AppImage + deb      (also --win: NSIS, --mac: dmg + zip)
 *   node scripts/dist.js --check  only the checks below, nothing built
 *
 * It needs what this script checks first, and fails fast with a clear message otherwise:
 * Node 22 or later, the Electron binary installed (npx install-electron, with network), the app built
 * (npm run build, which `npm run dist` runs first), and a valid electron-builder config.
 * electron-builder then downloads Electron for the target platform and rebuilds better-sqlite3
 * for it, so it needs network access too. The rebuild happens in node_modules: afterwards this
 * script rebuilds better-sqlite3 for Node again, so the CLI and the tests keep working.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { electronBinary, electronVersion, root } = require('./electron-binary');

const MIN_NODE_MAJOR = 22;

/** Problems that stop a build, each a sentence saying what to do. */
async function preflight() {
  const problems = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major < MIN_NODE_MAJOR) {
    problems.push(
      `Node ${MIN_NODE_MAJOR} or later is needed (Electron ${electronVersion() ?? ''} and electron-builder require it); this is Node ${process.versions.node}.`,
    );
  }
  if (electronBinary() === null) {
    problems.push(
      'Electron binary not installed: node_modules/electron has no dist/ (Electron 42 downloads it on ' +
        'request: run `npx install-electron` on a machine with network access). ' +
        'electron-builder also downloads Electron for each target platform, so build where the network is reachable.',
    );
  }
  const built = [
    'dist/electron/main/main.js',
    'dist/electron/preload/preload.bundle.js',
    'dist/renderer/index.html',
  ];
  const missing = built.filter((file) => !fs.existsSync(path.join(root, file)));
  if (missing.length > 0)
    problems.push(`The app is not built (${missing.join(', ')} missing): run npm run build.`);
  try {
    await validateBuilderConfig();
  } catch (error) {
    problems.push(`The electron-builder config in package.json is invalid: ${error.message}`);
  }
  return problems;
}

/** electron-builder's own schema check (offline), so a config mistake shows before any download. */
async function validateBuilderConfig() {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!pkg.build) throw new Error('no "build" key');
  await validateConfiguration(pkg.build, { isEnabled: false, add: () => undefined });
}

function runBuilder(args) {
  const cli = path.join(root, 'node_modules', 'electron-builder', 'cli.js');
  const result = spawnSync(process.execPath, [cli, '--publish', 'never', ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  return result.status ?? 1;
}

async function main() {
  const args = process.argv.slice(2);
  const checkOnly = args.includes('--check');
  const problems = await preflight();
  if (problems.length > 0) {
    process.stderr.write(
      `dist: cannot build the installers here:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  if (checkOnly) {
    process.stdout.write('dist: ready to build the installers\n');
    return;
  }
  const status = runBuilder(args.filter((a) => a !== '--check'));
  // electron-builder rebuilt better-sqlite3 for Electron in node_modules: give Node its own back.
  const { rebuildSqliteForNode } = require('./electron-native');
  if (!rebuildSqliteForNode()) {
    process.stderr.write(
      'dist: run `npm rebuild better-sqlite3` before using the CLI or the tests under Node\n',
    );
  }
  if (status === 0) process.stdout.write(`dist: installers in ${path.join(root, 'release')}\n`);
  process.exit(status);
}

main().catch((error) => {
  process.stderr.write(`dist: ${error.stack || error.message}\n`);
  process.exit(1);
});
