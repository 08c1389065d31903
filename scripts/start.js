#!/usr/bin/env node
'use strict';
/**
 * npm start: the desktop app when the Electron binary is installed and can run, otherwise the
 * headless station (same UI, in a browser), with a line saying why. Electron's own
 * `require('electron')` downloads a missing binary from the network, so its location is worked
 * out here without triggering that.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { electronBinary, root } = require('./electron-binary');
const native = require('./electron-native');
const sandbox = require('./linux-sandbox');

/** How long a child that got Ctrl+C from the terminal itself has to stop before we pass it on. */
const SIGINT_GRACE_MS = 5000;
/** Enough of Electron's stderr to find Chromium's sandbox message in. */
const STDERR_TAIL_BYTES = 64 * 1024;

/**
 * Runs the child to its end, passing signals on. With onFailure, the child's stderr is echoed
 * and its tail handed to onFailure if the child fails, to explain why before we exit too.
 */
function run(command, args, onFailure) {
  const watchStderr = Boolean(onFailure);
  const child = spawn(command, args, {
    cwd: root,
    stdio: ['inherit', 'inherit', watchStderr ? 'pipe' : 'inherit'],
    env: process.env,
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk) => {
    process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
  });
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
  child.on('close', (code, signal) => {
    // (close, not exit: the whole of stderr has been read by then)
    if (onFailure && code !== 0) onFailure(stderrTail);
    process.exit(code ?? (signal ? 1 : 0));
  });
}

function startHeadlessStation(reason, hint = '') {
  process.stdout.write(
    `${reason}: starting the headless station instead (open the printed http address in a browser${hint})\n`,
  );
  run(process.execPath, [
    path.join(root, 'bin', 'field-ota.js'),
    'station',
    ...process.argv.slice(2),
  ]);
}

/** After a failed launch: if Chromium's sandbox was the reason, what to do about it. */
function explainSandboxFailure(stderr) {
  if (process.platform !== 'linux' || !sandbox.isSandboxFailure(stderr)) return;
  process.stderr.write(
    sandbox.sandboxAdvice({
      helper: sandbox.sandboxHelperIn(stderr),
      restricted: sandbox.userNamespacesRestricted(),
    }),
  );
}

const binary = electronBinary();
if (!binary) {
  startHeadlessStation(
    'Electron binary not installed here',
    '; `npx install-electron` downloads the desktop binary',
  );
} else {
  // The desktop app opens its database with better-sqlite3 built for Electron, kept beside
  // Node's build so that the CLI and the tests go on working.
  const sqlite = native.sqliteLoadsInElectron(binary);
  let ready = sqlite.ok;
  if (!ready) {
    process.stdout.write(
      `better-sqlite3 has no working Electron build yet (${sqlite.detail}): building one beside Node's.\n`,
    );
    ready = native.buildSqliteForElectron();
  }
  if (!ready) {
    startHeadlessStation(
      'start: better-sqlite3 could not be built for Electron (node-gyp said why above: it needs ' +
        "Electron's headers, downloaded once from electronjs.org, and a C++ toolchain)",
    );
  } else {
    process.env.FIELD_OTA_SQLITE_BINDING = native.ELECTRON_BINDING;
    run(binary, ['.'], explainSandboxFailure);
  }
}
