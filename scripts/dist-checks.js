'use strict';
/**
 * What building the installers needs, each checked without building anything, so that
 * `npm run dist` stops at once with the reason instead of failing (or hanging) halfway through
 * a download. Each check answers { ok, detail }: detail says what was found, or what to do.
 */
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const plist = require('plist');
const semver = require('semver');
const { electronBinary, electronVersion } = require('./electron-binary');
const { checkPackageClosure } = require('./package-closure');

const BUILT = [
  'dist/electron/main/main.js',
  'dist/electron/preload/preload.bundle.js',
  'dist/renderer/index.html',
];
const NETWORK_TIMEOUT_MS = 10_000;
const ELECTRON_RELEASES = 'https://github.com/electron/electron/releases/download/';

const pass = (detail) => ({ ok: true, detail });
const fail = (detail) => ({ ok: false, detail });

/** Full semver against engines.node: 22.11 is not 22.12, whatever the major says. */
function nodeVersion(pkg, version = process.versions.node) {
  const range = pkg.engines?.node;
  if (!range) return fail('package.json has no engines.node');
  return semver.satisfies(version, range)
    ? pass(`Node ${version} satisfies engines.node ${range}`)
    : fail(
        `Node ${version} does not satisfy engines.node ${range} (Electron ${electronVersion() ?? ''}, ` +
          '@electron/get and @electron/rebuild need it): install a newer Node to build the installers.',
      );
}

function electronInstalled() {
  const binary = electronBinary();
  return binary
    ? pass(`Electron binary at ${binary}`)
    : fail(
        'Electron binary not installed: node_modules/electron has no dist/ (Electron 42 downloads it on ' +
          'request: run `npx install-electron` on a machine with network access).',
      );
}

function appBuilt(root) {
  const missing = BUILT.filter((file) => !fs.existsSync(path.join(root, file)));
  return missing.length === 0
    ? pass(BUILT.join(', '))
    : fail(`The app is not built (${missing.join(', ')} missing): run npm run build.`);
}

/** electron-builder's own schema check (offline), so a config mistake shows before any download. */
async function builderConfig(pkg) {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  if (!pkg.build) return fail('package.json has no "build" key');
  try {
    await validateConfiguration(pkg.build, { isEnabled: false, add: () => undefined });
    return pass("valid against electron-builder's schema");
  } catch (error) {
    return fail(`The electron-builder config in package.json is invalid: ${error.message}`);
  }
}

/** Every file the built main and preload require is packed; every package is a production dependency. */
function filesClosure(root, pkg) {
  if (!fs.existsSync(path.join(root, pkg.main)))
    return fail(`${pkg.main} is not built: run npm run build.`);
  const closure = checkPackageClosure(root, pkg);
  const problems = [
    ...closure.notPacked.map((file) => `${file} is required but not matched by build.files`),
    ...closure.notProduction.map(
      ({ name, from }) => `${name} (required by ${from}) is not in "dependencies"`,
    ),
    ...closure.unresolved.map(({ from, request }) => `${from} requires ${request}: not found`),
  ];
  return problems.length === 0
    ? pass(
        `${closure.files.length} files matched by build.files; packages ${closure.packages.join(', ')} are production dependencies`,
      )
    : fail(problems.join('; '));
}

/** The .deb needs a project URL and a maintainer with an email, or electron-builder stops. */
function debMetadata(pkg) {
  const problems = [];
  if (!/^https?:\/\/\S+$/.test(pkg.homepage ?? ''))
    problems.push(
      '"homepage" (an http(s) URL) is missing: electron-builder stops with "Please specify project homepage"',
    );
  const maintainer = pkg.build?.linux?.maintainer;
  if (!maintainer && !(typeof pkg.author === 'object' && pkg.author?.email))
    problems.push('"author" with an "email" (or build.linux.maintainer) is missing');
  if (!pkg.description) problems.push('"description" is missing');
  return problems.length === 0
    ? pass(
        `homepage ${pkg.homepage}, maintainer ${maintainer ?? `${pkg.author.name} <${pkg.author.email}>`}`,
      )
    : fail(problems.join('; '));
}

/**
 * With the hardened runtime, a build not signed with a Developer ID is re-signed ad hoc, and
 * library validation then refuses better_sqlite3.node ("mapped file has no Team ID"): such
 * builds need com.apple.security.cs.disable-library-validation. V8 always needs allow-jit.
 */
function macEntitlements(root, pkg, env = process.env) {
  const mac = pkg.build?.mac ?? {};
  const developerId = Boolean(env.CSC_LINK || env.CSC_NAME || typeof mac.identity === 'string');
  const mode = developerId
    ? 'signed with a Developer ID'
    : 'not signed with a Developer ID (ad hoc)';
  const needed = ['com.apple.security.cs.allow-jit'];
  if (mac.hardenedRuntime !== false && !developerId)
    needed.push('com.apple.security.cs.disable-library-validation');
  const problems = [];
  const files = new Set();
  for (const key of ['entitlements', 'entitlementsInherit']) {
    if (mac[key]) files.add(mac[key]);
    else problems.push(`build.mac.${key} is not set`);
  }
  for (const file of files) {
    let granted;
    try {
      granted = plist.parse(fs.readFileSync(path.join(root, file), 'utf8'));
    } catch (error) {
      problems.push(`${file} cannot be read as a plist: ${error.message}`);
      continue;
    }
    for (const entitlement of needed)
      if (granted[entitlement] !== true) problems.push(`${file} lacks ${entitlement}`);
  }
  return problems.length === 0
    ? pass(`${mode}, hardened runtime: ${needed.join(', ')} granted`)
    : fail(`${mode}: ${problems.join('; ')}`);
}

/** Where electron-builder downloads Electron from (ELECTRON_MIRROR when set). */
function electronDownloadUrl() {
  return process.env.ELECTRON_MIRROR || ELECTRON_RELEASES;
}

/** One HEAD request with a deadline: offline must fail in seconds, not hang the build. */
function reachable(url, timeoutMs = NETWORK_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const request = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve({ ok: true, detail: `HTTP ${response.statusCode}` });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    request.on('error', (error) => resolve({ ok: false, detail: error.message }));
    request.end();
  });
}

async function electronDownload() {
  const url = electronDownloadUrl();
  const result = await reachable(url);
  return result.ok
    ? pass(`${url} answers (${result.detail})`)
    : fail(
        `${url} cannot be reached (${result.detail}): electron-builder downloads Electron for each ` +
          'target platform and its headers for better-sqlite3. Build where the network is reachable ' +
          '(or set ELECTRON_MIRROR to a reachable mirror).',
      );
}

/** All the checks, in the order they are reported. */
function requirements(root, pkg) {
  return [
    ['Node version', () => nodeVersion(pkg)],
    ['Electron binary', () => electronInstalled()],
    ['App built', () => appBuilt(root)],
    ['electron-builder config', () => builderConfig(pkg)],
    ['Files closure', () => filesClosure(root, pkg)],
    ['deb metadata', () => debMetadata(pkg)],
    ['mac entitlements', () => macEntitlements(root, pkg)],
    ['Electron download', () => electronDownload()],
  ];
}

module.exports = { requirements, nodeVersion, debMetadata, macEntitlements, reachable };
