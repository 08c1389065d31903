'use strict';
/**
 * Where the installed Electron binary is, worked out without require('electron'): that module
 * downloads a missing binary from the network. Null when the binary isn't installed (Electron
 * 42 fetches it only on request: `npx install-electron`).
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function electronDir() {
  try {
    return path.dirname(require.resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
}

function electronBinary() {
  const dir = electronDir();
  if (dir === null) return null;
  // Same lookup as node_modules/electron/index.js, minus its download.
  const pathFile = path.join(dir, 'path.txt');
  const executable = fs.existsSync(pathFile)
    ? fs.readFileSync(pathFile, 'utf8').trim()
    : process.env.ELECTRON_OVERRIDE_DIST_PATH
      ? 'electron'
      : null;
  if (!executable) return null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist');
  const binary = path.join(distDir, executable);
  return fs.existsSync(binary) ? binary : null;
}

/** The version of the installed electron package (whether or not its binary is there). */
function electronVersion() {
  const dir = electronDir();
  if (dir === null) return null;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version ?? null;
  } catch {
    return null;
  }
}

module.exports = { electronBinary, electronVersion, root };
