import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { APP_ENTRY_URL, APP_ORIGIN, isAppUrl } from '../../electron/main/app-origin';
import { decodedPath, resolveAppResource } from '../../electron/main/app-protocol';
import {
  appResponseHeaders,
  CONTENT_SECURITY_POLICY,
  CSP_DIRECTIVES,
} from '../../electron/main/content-security-policy';
import {
  isAllowedExternalUrl,
  isAllowedRequest,
  navigationDecision,
} from '../../electron/main/navigation-policy';
import { isPermissionAllowed } from '../../electron/main/permission-policy';
import { APP_SCHEME_PRIVILEGES } from '../../electron/main/scheme-privileges';
import { mainWindowOptions, secureWebPreferences } from '../../electron/main/window-options';
import { DEFAULT_WINDOW_STATE } from '../../electron/main/window-state';

// Electron's security checklist (electronjs.org/docs/latest/tutorial/security), item by item:
// any edit that weakens one of these fails here, with the item's name.
describe('the app window', () => {
  const options = mainWindowOptions({
    state: DEFAULT_WINDOW_STATE,
    preloadPath: '/app/preload.bundle.js',
    devTools: false,
    darkBackground: false,
  });
  const prefs = options.webPreferences ?? {};

  it('isolates and sandboxes the renderer, without Node anywhere', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on, no insecure content, no webview, no experimental features', () => {
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs.navigateOnDragDrop).toBe(false);
  });

  it('loads only the bundled preload, and DevTools only when asked (never in an installed app)', () => {
    expect(prefs.preload).toBe('/app/preload.bundle.js');
    expect(prefs.devTools).toBe(false);
    expect(secureWebPreferences('/p.js', true).devTools).toBe(true);
    expect(options.show).toBe(false);
  });

  it('has no option beyond the reviewed ones (a new one must be added here consciously)', () => {
    expect(Object.keys(prefs).sort()).toEqual(
      [
        'allowRunningInsecureContent',
        'contextIsolation',
        'devTools',
        'experimentalFeatures',
        'navigateOnDragDrop',
        'nodeIntegration',
        'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker',
        'preload',
        'safeDialogs',
        'sandbox',
        'spellcheck',
        'webSecurity',
        'webviewTag',
      ].sort(),
    );
  });
});

describe('the content security policy', () => {
  const directive = (name: string) => CSP_DIRECTIVES[name] ?? [];

  it("allows only the app's own files by default", () => {
    expect(directive('default-src')).toEqual(["'self'"]);
  });

  it('has no inline or evaluated script and no remote script', () => {
    expect(directive('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(
      /'unsafe-inline'|'unsafe-eval'|'wasm-unsafe-eval'|\*/,
    );
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|wss?:/);
  });

  it('refuses plugins, frames, framing, base and form targets', () => {
    expect(directive('object-src')).toEqual(["'none'"]);
    expect(directive('frame-ancestors')).toEqual(["'none'"]);
    expect(directive('frame-src')).toEqual(["'none'"]);
    expect(directive('base-uri')).toEqual(["'none'"]);
    expect(directive('form-action')).toEqual(["'none'"]);
  });

  it('is the header of every app:// answer, with nosniff', () => {
    const headers = appResponseHeaders('text/html; charset=utf-8');
    expect(headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(CONTENT_SECURITY_POLICY.split('; ')).toContain("default-src 'self'");
  });
});

describe('the app:// scheme', () => {
  it('is standard and secure, and bypasses nothing', () => {
    expect(APP_SCHEME_PRIVILEGES.standard).toBe(true);
    expect(APP_SCHEME_PRIVILEGES.secure).toBe(true);
    expect(APP_SCHEME_PRIVILEGES.bypassCSP).toBe(false);
    expect(APP_SCHEME_PRIVILEGES.allowServiceWorkers).toBe(false);
  });

  it('knows its own origin and nothing that merely looks like it', () => {
    expect(APP_ORIGIN).toBe('app://field-ota');
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://field-ota/assets/index.js?x#y')).toBe(true);
    for (const url of [
      'app://field-ota.evil/index.html',
      'app://evil/index.html',
      'app://field-ota:8080/index.html',
      'app://user:pw@field-ota/index.html',
      'https://field-ota/index.html',
      'file:///field-ota/index.html',
      'not a url',
      '',
    ])
      expect(isAppUrl(url), url).toBe(false);
  });
});

describe('app:// serves the built renderer and nothing outside it', () => {
  let base: string;
  let root: string;

  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-app-'));
    root = path.join(base, 'renderer');
    fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(root, 'assets', 'index-1.js'), 'console.log(1)');
    fs.writeFileSync(path.join(base, 'secret.txt'), 'outside');
    fs.writeFileSync(path.join(base, 'renderer-evil.txt'), 'sibling with a shared prefix');
    // A link inside the folder pointing outside it must not be followed.
    if (process.platform !== 'win32')
      fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
  });

  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('answers files of the folder with their content type, and the folder with index.html', async () => {
    const index = await resolveAppResource('app://field-ota/index.html', 'GET', root);
    expect(index).toMatchObject({
      kind: 'file',
      contentType: 'text/html; charset=utf-8',
      size: 15,
    });
    const folder = await resolveAppResource('app://field-ota/', 'GET', root);
    expect(folder).toMatchObject({
      kind: 'file',
      path: fs.realpathSync(path.join(root, 'index.html')),
    });
    const script = await resolveAppResource(
      'app://field-ota/assets/index-1.js?v=1#x',
      'HEAD',
      root,
    );
    expect(script).toMatchObject({ kind: 'file', contentType: 'text/javascript; charset=utf-8' });
  });

  it('refuses traversal in every spelling, NUL, backslashes, symlinks out, other hosts and methods', async () => {
    const refused: [string, string, number][] = [
      // The URL parser resolves "%2e%2e" segments itself, within the root: /secret.txt isn't there.
      ['app://field-ota/%2e%2e/secret.txt', 'GET', 404],
      ['app://field-ota/assets/%2E%2E%2F%2E%2E%2Fsecret.txt', 'GET', 400],
      ['app://field-ota/..%2fsecret.txt', 'GET', 400],
      ['app://field-ota/..%5csecret.txt', 'GET', 400],
      ['app://field-ota/assets\\..\\..\\secret.txt', 'GET', 400],
      ['app://field-ota/index.html%00.png', 'GET', 400],
      ['app://field-ota/%E0%A4%A', 'GET', 400],
      ['app://field-ota/../renderer-evil.txt', 'GET', 404],
      ['app://field-ota/../../../../etc/passwd', 'GET', 404],
      ['app://field-ota/missing.js', 'GET', 404],
      ['app://other/index.html', 'GET', 403],
      ['app://field-ota/index.html', 'POST', 405],
    ];
    if (process.platform !== 'win32') refused.push(['app://field-ota/link.txt', 'GET', 404]);
    for (const [url, method, status] of refused) {
      const resource = await resolveAppResource(url, method, root);
      expect(resource, `${method} ${url}`).toMatchObject({ kind: 'refused', status });
    }
  });

  it('decodes paths once and refuses any ".." segment', () => {
    expect(decodedPath('app://field-ota/a%20b.js')).toBe('/a b.js');
    expect(decodedPath('app://field-ota/%2e%2e/x')).toBe('/x');
    expect(decodedPath('app://field-ota/a/%2e%2e%2fx')).toBeNull();
    expect(decodedPath('app://field-ota/a/..%2F..%2Fx')).toBeNull();
  });

  it('answers 404 (not a crash) when the renderer is not built', async () => {
    const missing = await resolveAppResource(
      'app://field-ota/index.html',
      'GET',
      path.join(base, 'nope'),
    );
    expect(missing).toMatchObject({ kind: 'refused', status: 404 });
  });
});

describe('navigation, new windows, requests and permissions', () => {
  it('stays on the app; allowed sites open in the browser; everything else is refused', () => {
    expect(navigationDecision('app://field-ota/index.html#/devices')).toBe('allow');
    expect(navigationDecision('https://thingsboard.io/docs/')).toBe('open-externally');
    for (const url of [
      'https://example.com/',
      'http://thingsboard.io/docs/',
      'https://thingsboard.io.evil.example/',
      'https://user@thingsboard.io/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'devtools://devtools/bundled/inspector.html',
      'app://evil/index.html',
    ])
      expect(navigationDecision(url), url).toBe('deny');
  });

  it('never opens an app page in a new window, and adds the signed-in cloud to the allow-list', () => {
    expect(navigationDecision('app://field-ota/index.html', [], false)).toBe('deny');
    expect(isAllowedExternalUrl('https://cloud.serviceplex.example/devices')).toBe(false);
    expect(
      isAllowedExternalUrl('https://cloud.serviceplex.example/devices', [
        'cloud.serviceplex.example',
      ]),
    ).toBe(true);
    expect(
      isAllowedExternalUrl('http://cloud.serviceplex.example/', ['cloud.serviceplex.example']),
    ).toBe(false);
  });

  it('lets the session load only app:// (and DevTools, data: images); nothing remote', () => {
    expect(isAllowedRequest('app://field-ota/assets/index.js')).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true);
    expect(isAllowedRequest('blob:app://field-ota/0b6c2a58-8f3e-4c1e-9d55-6a1c0c3f2d11')).toBe(
      true,
    );
    expect(isAllowedRequest('blob:https://example.com/0b6c2a58')).toBe(false);
    for (const url of [
      'https://example.com/x.js',
      'http://127.0.0.1:8080/api/call/devices.list',
      'ws://127.0.0.1:8080/api/events',
      'file:///etc/passwd',
      'app://other/x.js',
    ])
      expect(isAllowedRequest(url), url).toBe(false);
  });

  it('grants the page only the clipboard write of its copy buttons', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://field-ota/index.html')).toBe(
      true,
    );
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://field-ota')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com/')).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', undefined)).toBe(false);
    for (const permission of [
      'clipboard-read',
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'fullscreen',
      'hid',
      'serial',
      'usb',
      'fileSystem',
      'display-capture',
      'unknown',
    ])
      expect(isPermissionAllowed(permission, 'app://field-ota/index.html'), permission).toBe(false);
  });
});
