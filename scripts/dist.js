#!/usr/bin/env node
'use strict';
/**
 * npm run dist: the installers, with electron-builder (config: package.json "build").
 *   npm run dist                  installers for this computer's platform
 *   npm run dist -- --linux       AppImage + deb      (also --win: NSIS, --mac: dmg + zip)
 *   node scripts/dist.js --check  only the checks, nothing built
 *
 * Every requirement is checked first and reported on its own line (scripts/dist-checks.js): the
 * Node version (engines.node), the Electron binary, the built app, the electron-builder config,
 * the files closure (everything main requires is packed), the .deb metadata, the macOS
 * entitlements for the signing mode, and the Electron download being reachable. Any failure
 * stops here, before electron-builder starts downloading. electron-builder rebuilds
 * better-sqlite3 for Electron in node_modules: afterwards this script rebuilds it for Node
 * again, so the CLI and the tests keep working.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root } = require('./electron-binary');
const { requirements } = require('./dist-checks');

/** Runs every check, prints one PASS/FAIL line each; true when all pass. */
async function checkAll() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  process.stdout.write('dist: checking what building the installers needs\n');
  let failed = 0;
  for (const [name, check] of requirements(root, pkg)) {
    let result;
    try {
      result = await check();
    } catch (error) {
      result = { ok: false, detail: error.message };
    }
    if (!result.ok) failed++;
    process.stdout.write(`  ${result.ok ? 'PASS' : 'FAIL'}  ${name}: ${result.detail}\n`);
  }
  if (failed > 0)
    process.stderr.write(
      `dist: cannot build the installers here: ${failed} requirement(s) not met (FAIL above)\n`,
    );
  return failed === 0;
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
  if (!(await checkAll())) process.exit(1);
  if (args.includes('--check')) {
    process.stdout.write('dist: ready to build the installers\n');
    return;
  }
  const status = runBuilder(args);
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
