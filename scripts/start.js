#!/usr/bin/env node
'use strict';
/**
 * npm start: the desktop app when the Electron binary is installed, otherwise the headless
 * station (same UI, in a browser). Electron's own `require('electron')` downloads a missing
 * binary from the network, so its location is worked out here without triggering that.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { electronBinary, root } = require('./electron-binary');
const native = require('./electron-native');

/** How long a child that got Ctrl+C from the terminal itself has to stop before we pass it on. */
const SIGINT_GRACE_MS = 5000;

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const running = () => child.exitCode === null && child.signalCode === null;
  // A kill aimed at us alone must be passed on. Ctrl+C in a terminal, though, already reaches
  // the whole process group: pass SIGINT on only if the child has not stopped by itself, so that
  // it does not get the same keypress twice.
  const forward = (signal) => {
    if (running()) child.kill(signal);
  };
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  process.on('SIGINT', () => setTimeout(() => forward('SIGINT'), SIGINT_GRACE_MS).unref());
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
  // The desktop app opens its database with better-sqlite3 built for Electron, kept beside
  // Node's build so that the CLI and the tests go on working.
  const sqlite = native.sqliteLoadsInElectron(binary);
  if (!sqlite.ok) {
    process.stdout.write(
      `better-sqlite3 has no working Electron build yet (${sqlite.detail}): building one beside Node's.\n`,
    );
    if (!native.buildSqliteForElectron()) {
      process.stderr.write('start: building better-sqlite3 for Electron failed (see above)\n');
      process.exit(1);
    }
  }
  process.env.FIELD_OTA_SQLITE_BINDING = native.ELECTRON_BINDING;
  run(binary, ['.']);
} else {
  process.stdout.write(
    'Electron binary not installed here: starting the headless station instead (open the printed http address in a browser; `npx install-electron` downloads the desktop binary)\n',
  );
  run(process.execPath, [
    path.join(root, 'bin', 'field-ota.js'),
    'station',
    ...process.argv.slice(2),
  ]);
}
