#!/usr/bin/env node
'use strict';
/**
 * npm start: the desktop app when the Electron binary is installed, otherwise the headless
 * station (same UI, in a browser). Electron's own `require('electron')` downloads a missing
 * binary from the network, so its location is worked out here without triggering that.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function electronBinary() {
  let electronDir;
  try {
    electronDir = path.dirname(require.resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
  // Same lookup as node_modules/electron/index.js, minus its download.
  const pathFile = path.join(electronDir, 'path.txt');
  const executable = fs.existsSync(pathFile)
    ? fs.readFileSync(pathFile, 'utf8').trim()
    : process.env.ELECTRON_OVERRIDE_DIST_PATH
      ? 'electron'
      : null;
  if (!executable) return null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(electronDir, 'dist');
  const binary = path.join(distDir, executable);
  return fs.existsSync(binary) ? binary : null;
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  // Ctrl+C in a terminal reaches the whole process group; a kill aimed at us alone must be passed on.
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  child.on('error', (error) => {
    process.stderr.write(`start: could not run ${command}: ${error.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 1 : 0));
  });
}

const binary = electronBinary();
if (binary) {
  run(binary, ['.']);
} else {
  process.stdout.write(
    'Electron binary not installed here: starting the headless station instead (open the printed http address in a browser)\n',
  );
  run(process.execPath, [
    path.join(root, 'bin', 'field-ota.js'),
    'station',
    ...process.argv.slice(2),
  ]);
}
