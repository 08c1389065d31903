#!/usr/bin/env node
'use strict';
/**
 * Launches a packaged app and waits for its station to serve: the check CI runs on every
 * package it builds (.github/workflows/dist.yml), because a package can build and still not
 * start (a file left out of the asar, a native module refused, a sandbox aborting).
 *
 *   node scripts/launch-check.js [--timeout <seconds>] -- <app executable> [args...]
 *
 * The app runs on a throw-away data folder (FIELD_OTA_DATA_DIR) with the MQTT port left to the
 * system (FIELD_OTA_MQTT_PORT=0). Success: main's log (logs/main.log in that folder) says the
 * station is serving; the app is then closed and this exits 0. Failure (the app exits first, or
 * nothing within the timeout): the log is printed and this exits 1. Needs `npm run build` (the
 * log's name and line come from the built main).
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { LOG_FILE, SERVING_MESSAGE } = require('../dist/electron/main/log-file');

const DEFAULT_TIMEOUT_S = 120;
const POLL_MS = 500;
const QUIT_GRACE_MS = 15_000;

function parseArgs(argv) {
  const split = argv.indexOf('--');
  const options = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  const at = options.indexOf('--timeout');
  const timeoutS = at === -1 ? DEFAULT_TIMEOUT_S : Number(options[at + 1]);
  if (command.length === 0 || !(timeoutS > 0)) {
    process.stderr.write(
      'usage: node scripts/launch-check.js [--timeout <seconds>] -- <app executable> [args...]\n',
    );
    process.exit(2);
  }
  return { command, timeoutS };
}

function readLog(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The app and whatever it started (Chromium's helpers), so that nothing outlives the check. */
function killTree(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
  } else {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function main() {
  const { command, timeoutS } = parseArgs(process.argv.slice(2));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-launch-'));
  const logFile = path.join(dataDir, 'logs', LOG_FILE);
  process.stdout.write(`launch-check: ${command.join(' ')} (data folder ${dataDir})\n`);
  const child = spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    detached: process.platform !== 'win32',
    env: { ...process.env, FIELD_OTA_DATA_DIR: dataDir, FIELD_OTA_MQTT_PORT: '0' },
  });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
    child.once('error', (error) => resolve(error.message));
  });
  let exitedWith = null;
  void exited.then((how) => (exitedWith = how));

  const deadline = Date.now() + timeoutS * 1000;
  let serving = null;
  while (!serving && exitedWith === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    serving = readLog(logFile)
      .split('\n')
      .find((line) => line.includes(SERVING_MESSAGE));
  }

  let failure = null;
  if (serving) process.stdout.write(`launch-check: serving: ${serving}\n`);
  else if (exitedWith !== null)
    failure = `the app exited (${exitedWith}) before its station was serving`;
  else failure = `no "${SERVING_MESSAGE}" in ${logFile} within ${timeoutS} s`;

  killTree(child, 'SIGTERM');
  const closed = await Promise.race([
    exited.then(() => true),
    new Promise((r) => setTimeout(() => r(false), QUIT_GRACE_MS)),
  ]);
  if (!closed) killTree(child, 'SIGKILL');

  if (failure) {
    process.stderr.write(
      `launch-check: FAIL: ${failure}\n--- ${logFile} ---\n${readLog(logFile) || '(empty or absent)\n'}`,
    );
  }
  fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 500 });
  process.exit(failure ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`launch-check: ${error.stack || error.message}\n`);
  process.exit(1);
});
