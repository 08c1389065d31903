'use strict';
/**
 * Chromium's sandbox on Linux needs unprivileged user namespaces, or else a setuid-root
 * `chrome-sandbox` helper. Ubuntu 23.10 and later (kernel.apparmor_restrict_unprivileged_userns=1)
 * refuse the namespaces to any program without an AppArmor profile allowing them, and the
 * chrome-sandbox of an npm-installed Electron (or inside an AppImage's nosuid mount) is not
 * setuid: Electron then aborts at launch (SIGTRAP) with the message below. The .deb installs an
 * AppArmor profile, so the installed app is not affected.
 */
const fs = require('node:fs');

const RESTRICT_SYSCTL = '/proc/sys/kernel/apparmor_restrict_unprivileged_userns';

/** Chromium's own words when neither kind of sandbox can start. */
const FAILURES = [
  /The SUID sandbox helper binary was found, but is not configured correctly/,
  /No usable sandbox!/,
];

/** Whether an Electron's stderr shows the sandbox failing to start. */
function isSandboxFailure(output) {
  return FAILURES.some((pattern) => pattern.test(output));
}

/** The helper Chromium names in its message ("make sure that <path> is owned by root"). */
function sandboxHelperIn(output) {
  const match = /make sure that (\S+chrome-sandbox) is owned by root/.exec(output);
  return match ? match[1] : null;
}

/** Whether AppArmor restricts unprivileged user namespaces here (Ubuntu 23.10+). */
function userNamespacesRestricted(sysctlFile = RESTRICT_SYSCTL) {
  try {
    return fs.readFileSync(sysctlFile, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** What to do, for `npm start` run from the sources (Electron from node_modules). */
function sandboxAdvice({ helper, restricted }) {
  const sandbox = helper ?? 'node_modules/electron/dist/chrome-sandbox';
  const why = restricted
    ? 'this Linux lets only programs with an AppArmor profile create user namespaces ' +
      '(kernel.apparmor_restrict_unprivileged_userns=1, Ubuntu 23.10 and later), and'
    : 'user namespaces are not available here, and';
  return [
    `start: Electron's sandbox could not start: ${why} ${sandbox} is not setuid root.`,
    'start: any one of these lets the desktop app start:',
    `  - make the sandbox helper setuid root (again after each Electron install):`,
    `      sudo chown root:root ${sandbox} && sudo chmod 4755 ${sandbox}`,
    ...(restricted
      ? [
          '  - or allow user namespaces until the next reboot:',
          '      sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
        ]
      : []),
    '  - or use the headless station instead (same UI, in a browser): npm run station',
    '',
  ].join('\n');
}

module.exports = { isSandboxFailure, sandboxHelperIn, userNamespacesRestricted, sandboxAdvice };
