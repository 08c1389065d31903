import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DatabaseTooNewError } from '../../electron/core/storage/database';
import { FileSecretStore } from '../../electron/core/sync/secret-store';
import { loadAppSettings, SettingsError } from '../../electron/main/app-settings';
import { formatLogExport, LogFile, writeFileAtomically } from '../../electron/main/log-file';
import {
  applicationMenuTemplate,
  EXPORT_LOGS_LABEL,
  OPEN_DATA_FOLDER_LABEL,
} from '../../electron/main/menu-template';
import {
  chooseSecretStore,
  SafeStorageSecretStore,
  type StringEncryptor,
} from '../../electron/main/secret-stores';
import { shutdownOnce } from '../../electron/main/shutdown';
import { startErrorMessage } from '../../electron/main/start-errors';
import { MAX_SEPARATE_NOTICES, UpdateNotices } from '../../electron/main/update-notices';
import {
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  loadWindowState,
  saveWindowState,
} from '../../electron/main/window-state';
import type { Execution, Job } from '../../shared/api/entities';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-main-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const screen = { x: 0, y: 0, width: 1920, height: 1040 };

describe('window bounds kept across restarts', () => {
  it('saves and loads position, size and maximized state', () => {
    const file = path.join(dir, 'window-state.json');
    saveWindowState(file, { x: 100, y: 80, width: 1400, height: 900, maximized: true });
    expect(loadWindowState(file, [screen])).toEqual({
      x: 100,
      y: 80,
      width: 1400,
      height: 900,
      maximized: true,
    });
    expect(fs.readdirSync(dir)).toEqual(['window-state.json']);
  });

  it('falls back to the default for a missing, damaged or nonsensical file', () => {
    const file = path.join(dir, 'window-state.json');
    expect(loadWindowState(file, [screen])).toEqual(DEFAULT_WINDOW_STATE);
    fs.writeFileSync(file, '{"width": 14');
    expect(loadWindowState(file, [screen])).toEqual(DEFAULT_WINDOW_STATE);
    fs.writeFileSync(file, JSON.stringify({ width: -5, height: 'tall' }));
    expect(loadWindowState(file, [screen])).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('centres a window saved on a screen that is gone, and shrinks one larger than any screen', () => {
    const gone = fitToDisplays({ x: 2500, y: 100, width: 1200, height: 800, maximized: false }, [
      screen,
    ]);
    expect(gone).toEqual({ width: 1200, height: 800, maximized: false });
    const huge = fitToDisplays({ x: 0, y: 0, width: 5000, height: 3000, maximized: false }, [
      screen,
    ]);
    expect(huge).toEqual({ x: 0, y: 0, width: 1920, height: 1040, maximized: false });
    // Title bar barely on screen (less than the grip): moved; enough of it: kept.
    expect(
      fitToDisplays({ x: 1900, y: 10, width: 800, height: 600, maximized: false }, [screen]).x,
    ).toBeUndefined();
    expect(
      fitToDisplays({ x: 1800, y: 10, width: 800, height: 600, maximized: false }, [screen]).x,
    ).toBe(1800);
    // On a second monitor to the left.
    const left = { x: -1280, y: 0, width: 1280, height: 1000 };
    expect(
      fitToDisplays({ x: -1200, y: 50, width: 1000, height: 700, maximized: false }, [screen, left])
        .x,
    ).toBe(-1200);
  });
});

function execution(
  id: string,
  state: Execution['state'],
  extra: Partial<Execution> = {},
): Execution {
  return {
    id,
    deviceId: `d-${id}`,
    deviceName: `CIM-168-02-22-${id}`,
    packageId: 'p',
    jobId: `job-${id}`,
    type: 'FIRMWARE',
    packageTitle: 'CIM-168',
    packageVersion: '1.0.1',
    size: 100,
    state,
    error: state === 'FAILED' ? 'Checksum mismatch' : null,
    bytesServed: 100,
    attempts: 1,
    createdAt: 1000,
    updatedAt: 2000,
    finishedAt: state === 'UPDATED' || state === 'FAILED' ? 2000 : null,
    history: [],
    attemptLog: [],
    ...extra,
  } as Execution;
}

function job(
  id: string,
  status: Job['status'],
  counts: Partial<Job['counts']> = {},
  extra: Partial<Job> = {},
): Job {
  return {
    id,
    packageId: 'p',
    type: 'FIRMWARE',
    packageTitle: 'CIM-168',
    packageVersion: '1.0.1',
    target: { kind: 'DEVICES', deviceIds: [] },
    policy: {} as Job['policy'],
    startAt: 1000,
    status,
    statusReason: null,
    createdAt: 1000,
    startedAt: 1000,
    finishedAt: status === 'COMPLETED' ? 2000 : null,
    counts: {
      total: 1,
      queued: 0,
      active: 0,
      updated: 0,
      failed: 0,
      retrying: 0,
      canceled: 0,
      ...counts,
    },
    bytesServed: 0,
    bytesTotal: 0,
    etaSeconds: null,
    ...extra,
  } as Job;
}

describe('OS notifications for update outcomes', () => {
  it("tells a one-device job's success with the device's name, in the UI's words, once", () => {
    const notices = new UpdateNotices(1500);
    expect(notices.takeExecutions([execution('90', 'DOWNLOADING')])).toEqual([]);
    // The device's success itself waits for its job: no double notification.
    expect(notices.takeExecutions([execution('90', 'UPDATED')])).toEqual([]);
    const finished = job('job-90', 'COMPLETED', { total: 1, updated: 1 });
    expect(notices.takeJobs([finished])).toEqual([
      {
        kind: 'updated',
        title: 'CIM-168-02-22-90 updated',
        body: 'CIM-168-02-22-90 updated to CIM-168 1.0.1',
      },
    ]);
    expect(notices.takeJobs([finished])).toEqual([]);
  });

  it('tells a device that failed, and again if a retry fails too', () => {
    const notices = new UpdateNotices(1500);
    const failed = {
      kind: 'failed',
      title: 'CIM-168-02-22-91 failed',
      body: 'Update to CIM-168 1.0.1 failed: Checksum mismatch',
    };
    expect(notices.takeExecutions([execution('91', 'FAILED')])).toEqual([failed]);
    expect(notices.takeExecutions([execution('91', 'FAILED')])).toEqual([]);
    expect(notices.takeExecutions([execution('91', 'QUEUED')])).toEqual([]);
    expect(notices.takeExecutions([execution('91', 'FAILED', { finishedAt: 3000 })])).toEqual([
      failed,
    ]);
    // Its one-device job finishing adds nothing: the failure was told.
    expect(notices.takeJobs([job('job-91', 'COMPLETED', { total: 1, failed: 1 })])).toEqual([]);
  });

  it('tells a fleet job finishing with its figures, and a job that paused itself', () => {
    const notices = new UpdateNotices(0);
    expect(
      notices.takeJobs([
        job('j', 'COMPLETED', { total: 120, updated: 117, failed: 2, canceled: 1 }),
      ]),
    ).toEqual([
      {
        kind: 'failed',
        title: 'Update to CIM-168 1.0.1 finished',
        body: '117 of 120 devices updated, 2 failed, 1 canceled',
      },
    ]);
    const paused = job('k', 'PAUSED', {}, { statusReason: 'Auto-paused: 5 devices failed' });
    expect(notices.takeJobs([paused])).toEqual([
      {
        kind: 'paused',
        title: 'Update to CIM-168 1.0.1 paused',
        body: 'Auto-paused: 5 devices failed',
      },
    ]);
    expect(notices.takeJobs([paused])).toEqual([]);
    // Resumed, then paused again: told again.
    expect(notices.takeJobs([job('k', 'RUNNING')])).toEqual([]);
    expect(notices.takeJobs([paused])).toHaveLength(1);
  });

  it('ignores outcomes from before the app started', () => {
    const notices = new UpdateNotices(5000);
    expect(notices.takeExecutions([execution('1', 'FAILED')])).toEqual([]);
    expect(notices.takeJobs([job('j', 'COMPLETED', { total: 3, updated: 3 })])).toEqual([]);
  });

  it('sums up many devices failing at once in one notification', () => {
    const notices = new UpdateNotices(0);
    const batch = ['1', '2', '3', '4', '5'].map((id) => execution(id, 'FAILED'));
    expect(batch.length).toBeGreaterThan(MAX_SEPARATE_NOTICES);
    expect(notices.takeExecutions(batch)).toEqual([
      {
        kind: 'failed',
        title: '5 devices failed',
        body: 'CIM-168-02-22-1, CIM-168-02-22-2, CIM-168-02-22-3, …. See Monitor.',
      },
    ]);
  });

  it('still tells updates that belong to no job (older rows)', () => {
    const notices = new UpdateNotices(0);
    expect(notices.takeExecutions([execution('7', 'UPDATED', { jobId: null })])).toEqual([
      {
        kind: 'updated',
        title: 'CIM-168-02-22-7 updated',
        body: 'CIM-168-02-22-7 updated to CIM-168 1.0.1',
      },
    ]);
  });
});

describe('desktop settings', () => {
  it('defaults to port 1883 and leaves the host to the Station page switch', () => {
    // No mqttHost: the station starts as the switch was left (this computer only at first).
    expect(loadAppSettings(dir, {})).toEqual({ mqttPort: 1883 });
    expect(loadAppSettings(dir, { FIELD_OTA_MQTT_HOST: '0.0.0.0' }).mqttHost).toBe('0.0.0.0');
  });

  it('reads settings.json, with environment overrides for development', () => {
    fs.writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({ mqttHost: '0.0.0.0', mqttPort: 8883, maxChunkBytes: 65536 }),
    );
    expect(loadAppSettings(dir, {})).toEqual({
      mqttHost: '0.0.0.0',
      mqttPort: 8883,
      maxChunkBytes: 65536,
    });
    expect(loadAppSettings(dir, { FIELD_OTA_MQTT_PORT: '0' }).mqttPort).toBe(0);
    expect(loadAppSettings(dir, { FIELD_OTA_HTTP_DEVICE_PORT: '18080' }).httpDevicePort).toBe(
      18080,
    );
  });

  it("takes the CoAP port from settings.json or FIELD_OTA_COAP_PORT (default: the station's)", () => {
    expect(loadAppSettings(dir, {}).coapPort).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ coapPort: 15683 }));
    expect(loadAppSettings(dir, {}).coapPort).toBe(15683);
    expect(loadAppSettings(dir, { FIELD_OTA_COAP_PORT: '0' }).coapPort).toBe(0);
    expect(() => loadAppSettings(dir, { FIELD_OTA_COAP_PORT: '70000' })).toThrow(/coapPort/);
  });

  it('refuses a settings file it cannot use, naming the file and the setting', () => {
    const file = path.join(dir, 'settings.json');
    fs.writeFileSync(file, '{ mqttPort: 1 }');
    expect(() => loadAppSettings(dir, {})).toThrow(SettingsError);
    expect(() => loadAppSettings(dir, {})).toThrow(`${file} is not valid JSON`);
    fs.writeFileSync(file, JSON.stringify({ mqttPort: 70000, mqtHost: 'typo' }));
    expect(() => loadAppSettings(dir, {})).toThrow(/mqttPort: .*; \(file\): .*mqtHost/);
    fs.writeFileSync(file, '{}');
    expect(() => loadAppSettings(dir, { FIELD_OTA_MQTT_PORT: 'x' })).toThrow(/mqttPort/);
  });
});

describe('start errors the technician can act on', () => {
  const mqtt = { host: '127.0.0.1', port: 1883 };
  const busy = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });

  it('names the busy port, the likely culprit and the setting to change', () => {
    expect(startErrorMessage(busy, mqtt, '/data/settings.json')).toBe(
      'The MQTT port 1883 on 127.0.0.1 is already used by another program (another station, or an MQTT broker such as Mosquitto). Stop that program, or choose another port with "mqttPort" in /data/settings.json.',
    );
  });

  it('names the HTTP device API and its setting when that port is the busy one', () => {
    const http = { ...mqtt, port: 8080, name: 'HTTP device API', setting: 'httpDevicePort' };
    expect(startErrorMessage(busy, http, '/data/settings.json')).toBe(
      'The HTTP device API port 8080 on 127.0.0.1 is already used by another program (another station?). Stop that program, or choose another port with "httpDevicePort" in /data/settings.json.',
    );
  });

  it('tells a busy CoAP port from a busy MQTT port (UDP fails in bind)', () => {
    const udpBusy = Object.assign(new Error('bind EADDRINUSE 127.0.0.1:5683'), {
      code: 'EADDRINUSE',
      syscall: 'bind',
      port: 5683,
    });
    expect(startErrorMessage(udpBusy, mqtt, '/data/settings.json')).toBe(
      'The CoAP port 5683 on 127.0.0.1 is already used by another program (another station, or a CoAP server). Stop that program, or choose another port with "coapPort" in /data/settings.json.',
    );
  });

  it('passes on messages that already say what to do', () => {
    const tooNew = new DatabaseTooNewError(9, 3, '/data/field-ota.sqlite');
    expect(startErrorMessage(tooNew, mqtt, 's')).toBe(tooNew.message);
    expect(startErrorMessage(new Error('disk full'), mqtt, 's')).toBe(
      'The station could not start: disk full',
    );
  });
});

describe('the main log', () => {
  it('appends lines, rotates past its size, and reads oldest first', () => {
    const echoed: string[] = [];
    const log = new LogFile(path.join(dir, 'logs'), 200, (line) => echoed.push(line));
    for (let i = 0; i < 6; i++) log.write('info', `line ${i} ${'x'.repeat(30)}`);
    log.write('error', 'multi\nline');
    const files = fs.readdirSync(path.join(dir, 'logs')).sort();
    expect(files).toEqual(['main.1.log', 'main.log']);
    const text = log.read();
    const order = [...text.matchAll(/line (\d)/g)].map((m) => Number(m[1]));
    expect(order).toEqual([...order].sort());
    expect(text).toMatch(/ERROR multi\n {4}line\n$/);
    expect(echoed).toHaveLength(7);
    for (const file of files)
      expect(fs.statSync(path.join(dir, 'logs', file)).size).toBeLessThanOrEqual(200);
  });

  it('exports one readable text file', async () => {
    const text = formatLogExport({
      header: { App: '0.1.0' },
      sections: [{ title: 'Device protocol errors', lines: ['a', 'b'] }],
      mainLog: 'x\n',
    });
    expect(text).toBe(
      'ServicePleX Field OTA: exported logs\n\nApp: 0.1.0\n\n== Device protocol errors (2) ==\na\nb\n\n== Main process log ==\nx\n',
    );
    const target = path.join(dir, 'export.txt');
    await writeFileAtomically(target, text);
    expect(fs.readFileSync(target, 'utf8')).toBe(text);
    expect(fs.readdirSync(dir)).toEqual(['export.txt']);
  });
});

describe('the application menu', () => {
  const calls: string[] = [];
  const actions = {
    openDataFolder: () => calls.push('open'),
    exportLogs: () => calls.push('export'),
    showAbout: () => calls.push('about'),
  };
  const labels = (items: ReturnType<typeof applicationMenuTemplate>) =>
    items.map((item) => item.label ?? item.role);

  it('has the usual menus and the station commands, wired to their actions', () => {
    const menu = applicationMenuTemplate('linux', 'ServicePleX Field OTA', actions, false);
    expect(labels(menu)).toEqual(['File', 'Edit', 'View', 'Window', 'help']);
    const file = menu[0]?.submenu as { label?: string; role?: string; click?: () => void }[];
    expect(file.map((i) => i.label ?? i.role)).toEqual([
      OPEN_DATA_FOLDER_LABEL,
      EXPORT_LOGS_LABEL,
      undefined,
      'quit',
    ]);
    file[0]?.click?.();
    file[1]?.click?.();
    expect(calls).toEqual(['open', 'export']);
    const edit = menu[1]?.submenu as { role?: string }[];
    expect(edit.map((i) => i.role).filter(Boolean)).toEqual([
      'undo',
      'redo',
      'cut',
      'copy',
      'paste',
      'selectAll',
    ]);
  });

  it('offers reload and DevTools only when running from the sources', () => {
    const roles = (development: boolean) =>
      JSON.stringify(applicationMenuTemplate('win32', 'App', actions, development));
    expect(roles(false)).not.toMatch(/toggleDevTools|"reload"/);
    expect(roles(true)).toMatch(/toggleDevTools/);
  });

  it('has the macOS app menu there', () => {
    const menu = applicationMenuTemplate('darwin', 'ServicePleX Field OTA', actions, false);
    expect(labels(menu)[0]).toBe('ServicePleX Field OTA');
  });
});

/**
 * A reversible stand-in for the OS keychain with safeStorage's asynchronous API (safeStorage can
 * only run inside Electron). `rotate()` mimics a key rotation: what was encrypted before still
 * decrypts, but asks to be encrypted again.
 */
function keychain(
  options: { available?: boolean; backend?: string } = {},
): StringEncryptor & { key: number; rotate(): void } {
  let previousKey: number | null = null;
  const xor = (data: Buffer, key: number) => Buffer.from([...data].map((b) => b ^ key));
  const state = {
    key: 7,
    rotate: () => {
      previousKey = state.key;
      state.key = 11;
    },
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptStringAsync: async (text: string) => xor(Buffer.from(text), state.key),
    decryptStringAsync: async (data: Buffer) => {
      for (const key of [state.key, previousKey]) {
        if (key === null) continue;
        const text = xor(data, key).toString();
        if (text.startsWith('{')) return { result: text, shouldReEncrypt: key !== state.key };
      }
      throw new Error('Error while decrypting the ciphertext');
    },
  };
  return state;
}

describe('cloud tokens in the OS keychain', () => {
  it('stores them encrypted in an owner-only file, and clears them', async () => {
    const store = await chooseSecretStore(dir, keychain(), 'linux');
    expect(store).toBeInstanceOf(SafeStorageSecretStore);
    expect(store.description).toBe('encrypted with the desktop keyring (gnome_libsecret)');
    const secret = JSON.stringify({ token: 'jwt-abc', refreshToken: 'r' });
    await store.write(secret);
    const file = path.join(dir, 'cloud-session.enc');
    expect(fs.readFileSync(file).toString()).not.toContain('jwt-abc');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.read()).toBe(secret);
    await store.clear();
    expect(await store.read()).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('reads a session that no longer decrypts as none (sign in again), and says so', async () => {
    const crypt = keychain();
    const problems: unknown[] = [];
    const store = await chooseSecretStore(dir, crypt, 'darwin', (e) => problems.push(e));
    expect(store.description).toBe('encrypted with the macOS Keychain');
    await store.write('{"token":"t"}');
    crypt.key = 9;
    expect(await store.read()).toBeNull();
    expect(problems).toHaveLength(1);
  });

  it('moves a session the headless station kept in its plain file into the keychain', async () => {
    const plain = new FileSecretStore(path.join(dir, 'cloud-session.json'));
    await plain.write('{"token":"from-headless"}');
    const store = await chooseSecretStore(dir, keychain(), 'win32');
    expect(await store.read()).toBe('{"token":"from-headless"}');
    expect(fs.readdirSync(dir)).toEqual(['cloud-session.enc']);
    expect(await store.read()).toBe('{"token":"from-headless"}');
  });

  it("uses the owner-only file where the keychain doesn't really encrypt", async () => {
    for (const crypt of [keychain({ available: false }), keychain({ backend: 'basic_text' })]) {
      const store = await chooseSecretStore(dir, crypt, 'linux');
      expect(store).toBeInstanceOf(FileSecretStore);
      await store.write('{"token":"t"}');
      expect(fs.readFileSync(path.join(dir, 'cloud-session.json'), 'utf8')).toContain('"t"');
      if (process.platform !== 'win32')
        expect(fs.statSync(path.join(dir, 'cloud-session.json')).mode & 0o777).toBe(0o600);
      await store.clear();
    }
    expect((await chooseSecretStore(dir, keychain(), 'win32')).description).toBe(
      'encrypted with Windows DPAPI',
    );
  });

  it('encrypts the session again with the new key when the keychain asks to', async () => {
    const crypt = keychain();
    const store = await chooseSecretStore(dir, crypt, 'darwin');
    await store.write('{"token":"t"}');
    const file = path.join(dir, 'cloud-session.enc');
    const before = fs.readFileSync(file);
    crypt.rotate();
    expect(await store.read()).toBe('{"token":"t"}');
    const after = fs.readFileSync(file);
    expect(after.equals(before)).toBe(false);
    expect(await crypt.decryptStringAsync(after)).toEqual({
      result: '{"token":"t"}',
      shouldReEncrypt: false,
    });
  });
});

describe('shutdown', () => {
  it('runs once however many times quit is asked', async () => {
    let runs = 0;
    const shutdown = shutdownOnce(
      async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 20));
      },
      1000,
      () => undefined,
    );
    await Promise.all([shutdown(), shutdown(), shutdown()]);
    await shutdown();
    expect(runs).toBe(1);
  });

  it('gives up waiting on a close that hangs, and on one that fails', async () => {
    let timedOut = false;
    const hanging = shutdownOnce(
      () => new Promise<void>(() => undefined),
      30,
      () => {
        timedOut = true;
      },
    );
    await hanging();
    expect(timedOut).toBe(true);
    const failing = shutdownOnce(
      async () => {
        throw new Error('close failed');
      },
      1000,
      () => undefined,
    );
    await expect(failing()).resolves.toBeUndefined();
  });
});
