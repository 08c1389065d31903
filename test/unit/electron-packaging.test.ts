import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { debMetadata, macEntitlements, nodeVersion } from '../../scripts/dist-checks';
import { electronBinary } from '../../scripts/electron-binary';
import { checkPackageClosure, requireClosure } from '../../scripts/package-closure';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  description: string;
  homepage?: string;
  author?: { name: string; email: string };
  repository?: { type: string; url: string };
  engines: { node: string };
  dependencies: Record<string, string>;
  build: Record<string, unknown> & {
    electronFuses: Record<string, boolean>;
    files: string[];
    asarUnpack: string[];
    directories: { output: string; buildResources: string };
    linux: { target: string[]; maintainer: string };
    win: { target: string[] };
    mac: { target: string[]; entitlements: string; entitlementsInherit: string };
  };
};

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-dist-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the installers config (package.json "build")', () => {
  it("passes electron-builder's own schema validation", async () => {
    const { validateConfiguration } = (await import(
      // Offline: only the schema check of electron-builder, nothing downloaded.
      'app-builder-lib/out/util/config/config' as string
    )) as {
      validateConfiguration(
        config: unknown,
        logger: { isEnabled: boolean; add(): void },
      ): Promise<void>;
    };
    await expect(
      validateConfiguration(pkg.build, { isEnabled: false, add: () => undefined }),
    ).resolves.toBeUndefined();
    // And the check is real: a misspelt fuse is refused.
    await expect(
      validateConfiguration(
        { ...pkg.build, electronFuses: { ...pkg.build.electronFuses, runAsNod: false } },
        { isEnabled: false, add: () => undefined },
      ),
    ).rejects.toThrow(/Invalid configuration object/);
  });

  it('flips the Electron fuses that close the back doors', () => {
    expect(pkg.build.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('names the product and builds AppImage + deb, NSIS, dmg + zip', () => {
    expect(pkg.build.productName).toBe('ServicePleX Field OTA');
    expect(pkg.build.appId).toBe('com.serviceplex.fieldota');
    expect(pkg.build.linux.target).toEqual(['AppImage', 'deb']);
    expect(pkg.build.win.target).toEqual(['nsis']);
    expect(pkg.build.mac.target).toEqual(['dmg', 'zip']);
  });

  it('packs the built app (main, bundled preload, core, renderer), unpacks better-sqlite3', () => {
    expect(pkg.main).toBe('dist/electron/main/main.js');
    expect(pkg.build.files).toEqual(
      expect.arrayContaining([
        'dist/electron/main/**/*.js',
        'dist/electron/preload/preload.bundle.js',
        'dist/electron/core/**/*.js',
        // The IPC contract main shares with the preload lives in shared/.
        'dist/shared/**/*.js',
        'dist/renderer/**/*',
      ]),
    );
    expect(pkg.build.asarUnpack).toContain('node_modules/better-sqlite3/**/*');
    // Installers must not land in dist/, which is the build output that gets packed.
    expect(pkg.build.directories.output).toBe('release');
  });

  it('has its resources in build/: the icon (512x512 PNG) and the macOS entitlements', () => {
    const icon = fs.readFileSync(path.join(ROOT, 'build', 'icon.png'));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([512, 512]);
    const entitlements = fs.readFileSync(path.join(ROOT, pkg.build.mac.entitlements), 'utf8');
    expect(entitlements).toContain('com.apple.security.cs.allow-jit');
  });
});

// The installed app runs what electron-builder packed, not dist/: a file main requires that the
// `files` patterns miss is a crash at launch that no test run from dist/ can see.
describe('what the packaged app loads is packed (needs npm run build)', () => {
  const built = fs.existsSync(path.join(ROOT, pkg.main));

  it.runIf(built)('packs every file main and the preload bundle require', () => {
    const closure = checkPackageClosure(ROOT, pkg);
    expect(closure.files).toEqual(
      expect.arrayContaining([
        'dist/electron/main/main.js',
        'dist/electron/preload/preload.bundle.js',
        'dist/shared/api/ipc-contract.js',
        'dist/electron/core/station.js',
      ]),
    );
    expect(closure.unresolved).toEqual([]);
    expect(closure.notPacked).toEqual([]);
  });

  it.runIf(built)('needs only production dependencies (and Node or Electron built-ins)', () => {
    const closure = checkPackageClosure(ROOT, pkg);
    expect(closure.packages).toEqual(expect.arrayContaining(['better-sqlite3', 'zod']));
    expect(closure.notProduction).toEqual([]);
  });

  it.runIf(built)('keeps the preload bundle self-contained: electron is its only require', () => {
    const closure = requireClosure(ROOT, ['dist/electron/preload/preload.bundle.js']);
    expect(closure.files).toEqual(['dist/electron/preload/preload.bundle.js']);
    expect([...closure.packages.keys()]).toEqual([]);
  });

  it.runIf(built)('would see a file or a package left out', () => {
    // The check is real: the patterns matched with electron-builder's own filter.
    const withoutCore = pkg.build.files.filter((p) => !p.startsWith('dist/electron/core/'));
    expect(checkPackageClosure(ROOT, pkg, withoutCore).notPacked).toContain(
      'dist/electron/core/station.js',
    );
    const { zod: _zod, ...dependencies } = pkg.dependencies;
    expect(checkPackageClosure(ROOT, { ...pkg, dependencies }).notProduction).toEqual([
      { name: 'zod', from: expect.stringMatching(/^dist\/(electron|shared)\//) },
    ]);
  });

  it.skipIf(built)('skipped: the app is not built (npm run build)', () => undefined);
});

describe('npm run dist checks (scripts/dist-checks.js)', () => {
  it('wants Node 22.12 or later, full semver (22.11 is not enough)', () => {
    expect(nodeVersion(pkg, '22.11.0').ok).toBe(false);
    expect(nodeVersion(pkg, '20.20.2').ok).toBe(false);
    expect(nodeVersion(pkg, '22.12.0').ok).toBe(true);
    expect(nodeVersion(pkg, '24.1.0').ok).toBe(true);
    expect(nodeVersion(pkg, '22.11.0').detail).toContain('engines.node >=22.12.0');
  });

  it('has what the .deb target needs: homepage, maintainer with an email, description', () => {
    expect(debMetadata(pkg)).toMatchObject({ ok: true });
    expect(pkg.author).toMatchObject({ email: expect.stringContaining('@') });
    expect(pkg.repository).toMatchObject({ type: 'git' });
    // What electron-builder would stop on.
    const { homepage: _homepage, ...noHomepage } = pkg;
    expect(debMetadata(noHomepage).detail).toContain('Please specify project homepage');
  });

  it('grants the macOS entitlements the signing mode needs', () => {
    const adHoc = macEntitlements(ROOT, pkg, {});
    expect(adHoc).toMatchObject({ ok: true });
    expect(adHoc.detail).toContain('com.apple.security.cs.disable-library-validation');
    expect(macEntitlements(ROOT, pkg, { CSC_LINK: 'cert.p12' })).toMatchObject({
      ok: true,
      detail: expect.stringContaining('signed with a Developer ID'),
    });
    // An unsigned hardened build without it is refused.
    fs.writeFileSync(
      path.join(tmp, 'jit-only.plist'),
      '<?xml version="1.0"?><plist version="1.0"><dict>' +
        '<key>com.apple.security.cs.allow-jit</key><true/></dict></plist>',
    );
    const jitOnly = { entitlements: 'jit-only.plist', entitlementsInherit: 'jit-only.plist' };
    const unsigned = macEntitlements(
      tmp,
      { ...pkg, build: { ...pkg.build, mac: { ...pkg.build.mac, ...jitOnly } } },
      {},
    );
    expect(unsigned.ok).toBe(false);
    expect(unsigned.detail).toContain('lacks com.apple.security.cs.disable-library-validation');
    expect(
      macEntitlements(
        tmp,
        { ...pkg, build: { ...pkg.build, mac: { ...pkg.build.mac, ...jitOnly } } },
        { CSC_NAME: 'Developer ID Application: X' },
      ).ok,
    ).toBe(true);
  });
});

describe('npm run dist', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'dist.js'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('--check reports each requirement on a PASS or FAIL line', { timeout: 150_000 }, () => {
    const result = run(['--check']);
    const lines = result.stdout.split('\n').filter((l) => /^ {2}(PASS|FAIL) {2}/.test(l));
    expect(lines.map((l) => l.slice(8).split(':')[0])).toEqual([
      'Node version',
      'Electron binary',
      'App built',
      'electron-builder config',
      'Files closure',
      'deb metadata',
      'mac entitlements',
      'Electron download',
    ]);
    const status = (name: string) => lines.find((l) => l.slice(8).startsWith(name))?.slice(2, 6);
    // Whatever the machine, the project's own config is never the problem.
    for (const name of ['electron-builder config', 'deb metadata', 'mac entitlements'])
      expect(status(name), result.stdout).toBe('PASS');
    if (fs.existsSync(path.join(ROOT, pkg.main))) expect(status('Files closure')).toBe('PASS');
    expect(status('Node version')).toBe(nodeVersion(pkg).ok ? 'PASS' : 'FAIL');
    expect(status('Electron binary')).toBe(electronBinary() === null ? 'FAIL' : 'PASS');
    if (lines.some((l) => l.startsWith('  FAIL'))) {
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('dist: cannot build the installers here');
    } else {
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('dist: ready to build the installers');
    }
  });

  it.runIf(electronBinary() === null)(
    'stops before electron-builder starts where Electron cannot be had (no hang)',
    { timeout: 150_000 },
    () => {
      const result = run(['--linux']);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain('FAIL  Electron binary: Electron binary not installed');
      expect(result.stderr).toContain('dist: cannot build the installers here');
      // electron-builder prints its version first when it runs: it never did.
      expect(result.stdout).not.toMatch(/electron-builder\s+version=/);
    },
  );
});
