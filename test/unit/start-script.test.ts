import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  isSandboxFailure,
  sandboxAdvice,
  sandboxHelperIn,
  userNamespacesRestricted,
} from '../../scripts/linux-sandbox';

const ROOT = path.join(__dirname, '..', '..');
const START = path.join(ROOT, 'scripts', 'start.js');
// What Chromium prints before aborting (SIGTRAP) on Ubuntu 24.04 from an AppImage or an
// npm-installed Electron, as reported in electron/electron#42510.
const SUID_ABORT =
  '[19445:0122/121308.617048:FATAL:sandbox/linux/suid/client/setuid_sandbox_host.cc:166] The SUID ' +
  "sandbox helper binary was found, but is not configured correctly. Rather than run without sandboxing I'm " +
  'aborting now. You need to make sure that /tmp/.mount_FieldOTA/chrome-sandbox is owned by root and has mode 4755.';

let tmp: string;
let child: ChildProcess | null = null;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-start-'));
});
afterEach(async () => {
  // The whole group: start.js, and node-gyp or the station it started.
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  child = null;
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** npm start with Electron "installed" at bin/electron in tmp, and its output so far. */
function start(env: Record<string, string>, args: string[] = []) {
  const out = { stdout: '', stderr: '' };
  const proc = spawn(process.execPath, [START, ...args], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      ELECTRON_OVERRIDE_DIST_PATH: path.join(tmp, 'bin'),
      FIELD_OTA_ELECTRON_BUILD_DIR: path.join(tmp, 'electron-build', 'better-sqlite3'),
      ...env,
    },
  });
  proc.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', resolve));
  child = proc;
  return { out, exited };
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start when better-sqlite3 cannot be built for Electron', () => {
  it('says why and starts the headless station instead', async () => {
    // The Electron binary cannot be had here: Node stands in its place (Electron run as Node is
    // Node). The build is the real one: node-gyp, asked for Electron's headers with no network
    // (a proxy on a closed port, an empty headers cache).
    fs.mkdirSync(path.join(tmp, 'bin'));
    fs.symlinkSync(process.execPath, path.join(tmp, 'bin', 'electron'));
    const { out, exited } = start(
      {
        npm_config_devdir: path.join(tmp, 'node-gyp'),
        HTTPS_PROXY: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
      },
      ['--data-dir', path.join(tmp, 'data'), '--mqtt-port', '0', '--http-port', '0'],
    );
    const stopped = exited.then((code) => Promise.reject(new Error(`start.js exited ${code}`)));
    await Promise.race([until(() => out.stdout.includes('station ready'), 60_000), stopped]).catch(
      (error: Error) => {
        throw new Error(`${error.message}:\n${out.stdout}\n${out.stderr}`);
      },
    );
    expect(out.stderr).toContain('gyp ERR!');
    expect(out.stdout).toContain(
      'start: better-sqlite3 could not be built for Electron (node-gyp said why above',
    );
    expect(out.stdout).toContain('starting the headless station instead');
    expect(out.stdout).toMatch(
      /station ready: mqtt:\/\/127\.0\.0\.1:\d+ http:\/\/127\.0\.0\.1:\d+/,
    );
  }, 90_000);
});

describe.runIf(process.platform === 'linux')('npm start where the Linux sandbox is refused', () => {
  it("recognises Chromium's abort and names the helper", () => {
    expect(isSandboxFailure(`some line\n${SUID_ABORT}\nTrace/breakpoint trap`)).toBe(true);
    expect(
      isSandboxFailure(
        '[FATAL:zygote_host_impl_linux.cc(127)] No usable sandbox! Update your kernel',
      ),
    ).toBe(true);
    expect(isSandboxFailure('Error: Cannot find module ../preload/ipc-contract')).toBe(false);
    expect(sandboxHelperIn(SUID_ABORT)).toBe('/tmp/.mount_FieldOTA/chrome-sandbox');
    expect(sandboxHelperIn('No usable sandbox!')).toBeNull();
  });

  it('reads the AppArmor restriction from the sysctl', () => {
    const sysctl = path.join(tmp, 'apparmor_restrict_unprivileged_userns');
    fs.writeFileSync(sysctl, '1\n');
    expect(userNamespacesRestricted(sysctl)).toBe(true);
    fs.writeFileSync(sysctl, '0\n');
    expect(userNamespacesRestricted(sysctl)).toBe(false);
    expect(userNamespacesRestricted(path.join(tmp, 'absent'))).toBe(false);
  });

  it('says what to do: setuid helper, or the sysctl, or the headless station', () => {
    const advice = sandboxAdvice({ helper: '/x/chrome-sandbox', restricted: true });
    expect(advice).toContain('kernel.apparmor_restrict_unprivileged_userns=1');
    expect(advice).toContain(
      'sudo chown root:root /x/chrome-sandbox && sudo chmod 4755 /x/chrome-sandbox',
    );
    expect(advice).toContain('sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0');
    expect(advice).toContain('npm run station');
    expect(sandboxAdvice({ helper: null, restricted: false })).not.toContain('sysctl');
  });

  it('prints that advice when the desktop app aborts on it', async () => {
    // Electron cannot run here: a script replays Chromium's abort (message, then SIGTRAP), and
    // runs as Node for the better-sqlite3 probe, which finds Node's build where the Electron
    // build would be.
    const build = path.join(tmp, 'electron-build', 'better-sqlite3', 'build', 'Release');
    fs.mkdirSync(build, { recursive: true });
    fs.copyFileSync(
      path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
      path.join(build, 'better_sqlite3.node'),
    );
    fs.mkdirSync(path.join(tmp, 'bin'));
    fs.writeFileSync(
      path.join(tmp, 'bin', 'electron'),
      [
        '#!/bin/sh',
        `if [ "$ELECTRON_RUN_AS_NODE" = 1 ]; then exec "${process.execPath}" "$@"; fi`,
        `echo "${SUID_ABORT.replace(/"/g, '\\"')}" >&2`,
        'kill -TRAP $$',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const { out, exited } = start({});
    expect(await exited).toBe(1);
    expect(out.stderr).toContain('The SUID sandbox helper binary was found');
    expect(out.stderr).toContain("start: Electron's sandbox could not start");
    expect(out.stderr).toContain(
      'sudo chown root:root /tmp/.mount_FieldOTA/chrome-sandbox && sudo chmod 4755 /tmp/.mount_FieldOTA/chrome-sandbox',
    );
  }, 60_000);
});
