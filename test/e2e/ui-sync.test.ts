import crypto from 'node:crypto';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { uploadPackage } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { type CloudEmulator, startCloudEmulator } from '../cloud-emulator/emulator';
import { firmwareBytes, type SeededSite, seedSite } from '../cloud-emulator/seed';
import { stationAuth } from '../support/station-client';
import { stationApi } from './support/api';
import { accessibilityProblems } from './support/axe';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

/** Small enough for a quick test, and the same refusal (413) as a stock server's 16 MiB. */
const UPLOAD_LIMIT = 100_000;
const USER = { username: 'tenant@thingsboard.org', password: 'tenant' };

// The Sync page against the cloud emulator on 127.0.0.1: a refused password, signing in, a site
// pull with its progress, pending counts, a conflict resolved both ways, a package the cloud
// refuses, the cloud going away (calmly), and signing out.
describe('the Sync page', () => {
  let cloud: CloudEmulator;
  let site: SeededSite;
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    // Held downloads make the pull last long enough to watch its progress bar.
    cloud = await startCloudEmulator({ maxUploadBytes: UPLOAD_LIMIT, delayMs: 1_500 });
    site = seedSite(cloud.state, {
      profile: 'CIM-168',
      devices: ['01', '02', '03'].map((n) => ({ name: `CIM-168-S-${n}`, token: `tok-s-${n}` })),
      packages: [
        { title: 'CIM-168', version: '1.0.0', data: firmwareBytes(40_000, 1) },
        { title: 'CIM-168', version: '1.0.1', data: firmwareBytes(40_000, 2) },
      ],
      firmware: { 'CIM-168-S-03': 'CIM-168@1.0.0' },
    });
    station = await startStationProcess();
    api = stationApi(station);
    browser = await launchBrowser();
    watched = await openPage(browser, `${station.uiUrl}#/devices`);
    page = watched.page;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    await cloud?.close();
  });

  const account = () => page.getByRole('region', { name: 'Cloud account' });
  const pendingCount = (label: string) =>
    page
      .getByRole('list', { name: 'Pending items by kind' })
      .getByRole('listitem')
      .filter({ hasText: label })
      .innerText();

  it('opens from the header, refuses a bad password clearly, then signs in', async () => {
    await page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
    await page.getByRole('link', { name: /^Cloud\s+Not configured/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Sync' }).waitFor();
    const signIn = page.getByRole('region', { name: 'Sign in to the cloud' });
    await signIn.getByText('Not signed in').waitFor();
    expect(await page.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
    await page.mouse.move(0, 0);
    await screenshot(page, 'sync-signed-out-light');
    expect(await accessibilityProblems(page), 'Sync page, signed out').toEqual([]);

    await signIn.getByLabel('Cloud URL').fill(cloud.url);
    await signIn.getByLabel('Username').fill(USER.username);
    await signIn.getByLabel('Password').fill('not-the-password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('alert').filter({ hasText: 'refused' }).first().waitFor();
    expect(await signIn.locator('.form-error').innerText()).toBe(
      'The cloud refused this username and password',
    );
    expect(await signIn.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    // The password left the page with the request: the field is empty again.
    expect(await signIn.getByLabel('Password').inputValue()).toBe('');
    expect((await api.call('cloud.status', {})).connection).toBe('SIGNED_OUT');
    await screenshot(page, 'sync-sign-in-refused-light');

    await signIn.getByLabel('Password').fill(USER.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await account().getByText('Online').waitFor();
    expect(await account().innerText()).toContain(USER.username);
    // Turned off here so that nothing leaves before the test says so.
    await account().getByRole('switch', { name: 'Sync automatically' }).uncheck();
    await expect.poll(async () => (await api.call('cloud.status', {})).autoSync).toBe(false);
    await page
      .getByRole('region', { name: 'Sync log table' })
      .getByText(`Signed in to ${cloud.url} as ${USER.username}`)
      .waitFor();
  }, 30_000);

  it('prepares a site visit with a progress bar, then counts what waits to be synced', async () => {
    cloud.faults.inject({ kind: 'delay', match: (r) => r.path.endsWith('/download') });
    await page.getByRole('button', { name: 'Prepare a site visit' }).click();
    // The binary download is held back by the emulator: the bar shows meanwhile.
    const progress = page.getByRole('progressbar', { name: 'Site pull progress' });
    await progress.waitFor();
    expect(await page.locator('.activity-text').innerText()).toMatch(/^Pulling /);
    await screenshot(page, 'sync-pulling-light');
    const done = page.getByRole('region', { name: 'Prepare a site visit' }).getByRole('status');
    await done.getByText(/^Pulled 3 devices \(3 new\)/).waitFor({ timeout: 20_000 });
    expect(await done.innerText()).toMatch(/1 binary downloaded/);
    await progress.waitFor({ state: 'detached' });

    const devices = await api.call('devices.list', {});
    expect(devices.map((d) => d.name).sort()).toEqual([
      'CIM-168-S-01',
      'CIM-168-S-02',
      'CIM-168-S-03',
    ]);
    // On site: 1.0.0 assigned to S-01 and S-02, and a device added.
    const v100 = (await api.call('packages.list', {})).find((p) => p.version === '1.0.0')!;
    for (const name of ['CIM-168-S-01', 'CIM-168-S-02'])
      await api.call('assignments.assign', {
        deviceId: devices.find((d) => d.name === name)!.id,
        packageId: v100.id,
      });
    await api.call('devices.add', { name: 'CIM-168-S-04', profileId: v100.profileId });

    // Local changes reach the counts within a second or two (the page asks for the status again).
    await expect
      .poll(() => pendingCount('Assignments'), { timeout: 10_000 })
      .toMatch(/^2\s+Assignments$/);
    expect(await pendingCount('Devices')).toMatch(/^1\s+Devices$/);
    expect(await pendingCount('Packages')).toMatch(/^0\s+Packages$/);
    const waiting = page.getByRole('region', { name: 'Changes waiting to be synced' });
    await waiting.getByText('CIM-168-S-04').waitFor();
    // The header says the same, on every page.
    const header = page.getByRole('link', { name: /^Cloud/ });
    await expect.poll(() => header.innerText()).toMatch(/Online[\s\S]*3 changes to sync/);
    await page.mouse.move(0, 0);
    await screenshot(page, 'sync-pending-light');
    expect(await accessibilityProblems(page), 'Sync page, signed in').toEqual([]);
  }, 40_000);

  it('shows a conflict with both sides and resolves it both ways', async () => {
    // Meanwhile in the console: S-01 and S-02 get 1.0.1.
    const v101 = site.packages.get('CIM-168@1.0.1')!;
    for (const name of ['CIM-168-S-01', 'CIM-168-S-02'])
      cloud.state.editDevice(cloud.state.deviceByName(name)!.id, { firmwareId: v101.id });

    await page.getByRole('button', { name: 'Sync now' }).click();
    const conflicts = page.getByRole('region', { name: /^Conflicts/ });
    await conflicts.waitFor({ timeout: 20_000 });
    const s01 = conflicts.getByRole('listitem').filter({ hasText: 'CIM-168-S-01 (firmware)' });
    const s02 = conflicts.getByRole('listitem').filter({ hasText: 'CIM-168-S-02 (firmware)' });
    const sides = await s01.getByRole('table').innerText();
    expect(sides).toMatch(/On this station \(mine\)\s+In the cloud/);
    expect(sides).toMatch(/Firmware\s+CIM-168 1\.0\.0\s+CIM-168 1\.0\.1/);
    await expect
      .poll(() => page.getByRole('link', { name: /^Cloud/ }).innerText(), { timeout: 5_000 })
      .toContain('2 conflicts');
    // The device added on site went through; only the two assignments wait on a choice.
    expect(cloud.state.deviceByName('CIM-168-S-04')).toBeDefined();
    await page.mouse.move(0, 0);
    await conflicts.scrollIntoViewIfNeeded();
    await screenshot(page, 'sync-conflicts-light');
    expect(await accessibilityProblems(page), 'Sync page with conflicts').toEqual([]);

    const dark = await openPage(browser, `${station.uiUrl}#/sync`, 'dark');
    await dark.page.getByRole('region', { name: /^Conflicts/ }).scrollIntoViewIfNeeded();
    await dark.page.mouse.move(0, 0);
    await screenshot(dark.page, 'sync-conflicts-dark');
    expect(await accessibilityProblems(dark.page), 'Sync page with conflicts, dark').toEqual([]);
    expect(dark.problems).toEqual([]);
    await dark.context.close();

    await s01.getByRole('button', { name: 'Keep mine: CIM-168-S-01 (firmware)' }).click();
    await s01.waitFor({ state: 'detached', timeout: 15_000 });
    await s02.getByRole('button', { name: "Take the cloud's: CIM-168-S-02 (firmware)" }).click();
    await conflicts.waitFor({ state: 'detached', timeout: 15_000 });

    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => pendingCount('Assignments'), { timeout: 15_000 }).toMatch(/^0\s/);
    const v100 = site.packages.get('CIM-168@1.0.0')!;
    expect(cloud.state.deviceByName('CIM-168-S-01')!.firmwareId).toBe(v100.id);
    expect(cloud.state.deviceByName('CIM-168-S-02')!.firmwareId).toBe(v101.id);
    const s02Local = (await api.call('devices.list', {})).find((d) => d.name === 'CIM-168-S-02')!;
    expect(s02Local.firmware.assignedVersion).toBe('1.0.1');
  }, 60_000);

  it('lists a package the cloud refuses as too large, with what to do', async () => {
    const profileId = (await api.call('profiles.list', {})).find((p) => p.name === 'CIM-168')!.id;
    await uploadPackage(
      station.httpUrl,
      { title: 'CIM-168', version: '2.0.0', profileId, type: 'FIRMWARE', fileName: 'big.bin' },
      new Uint8Array(crypto.randomBytes(UPLOAD_LIMIT + 50_000)),
      stationAuth(station),
    );
    await expect.poll(() => pendingCount('Packages'), { timeout: 10_000 }).toMatch(/^1\s/);
    await page.getByRole('button', { name: 'Sync now' }).click();
    const errors = page.getByRole('region', { name: 'Errors' });
    await errors.waitFor({ timeout: 20_000 });
    const text = await errors.innerText();
    expect(text).toContain('CIM-168 2.0.0');
    expect(text).toMatch(/larger than its upload limit/);
    await page.mouse.move(0, 0);
    await errors.scrollIntoViewIfNeeded();
    await screenshot(page, 'sync-errors-light');
    expect(await accessibilityProblems(page), 'Sync page with an error').toEqual([]);
    await errors.getByRole('button', { name: 'Discard: package CIM-168 2.0.0' }).click();
    await errors.waitFor({ state: 'detached' });
    expect((await api.call('cloud.status', {})).failed).toBe(0);
  }, 40_000);

  it('says calmly that the cloud is offline, then signs out keeping what waits', async () => {
    await cloud.goOffline();
    try {
      await api.call('devices.add', {
        name: 'CIM-168-S-05',
        profileId: (await api.call('profiles.list', {})).find((p) => p.name === 'CIM-168')!.id,
      });
      await page.getByRole('button', { name: 'Sync now' }).click();
      await account().getByText('Offline', { exact: true }).waitFor({ timeout: 15_000 });
      expect(await account().innerText()).toMatch(
        /not reachable from here right now[\s\S]*That is normal on site/,
      );
      await page
        .getByRole('region', { name: 'Waiting to be synced' })
        .getByRole('status')
        .getByText(/not reachable.*changes stay queued/)
        .waitFor();
      await expect.poll(() => pendingCount('Devices'), { timeout: 10_000 }).toMatch(/^1\s/);
      await page.mouse.move(0, 0);
      await screenshot(page, 'sync-offline-light');
    } finally {
      await cloud.goOnline();
    }

    await account().getByRole('button', { name: 'Sign out' }).click();
    const signIn = page.getByRole('region', { name: 'Sign in to the cloud' });
    await signIn.waitFor();
    // The address and name are kept for the next sign-in; the queue too.
    expect(await signIn.getByLabel('Cloud URL').inputValue()).toBe(cloud.url);
    expect(await signIn.getByLabel('Username').inputValue()).toBe(USER.username);
    expect(await pendingCount('Devices')).toMatch(/^1\s/);
    await expect
      .poll(() => page.getByRole('link', { name: /^Cloud/ }).innerText())
      .toMatch(/Not signed in/);
    expect((await api.call('cloud.status', {})).connection).toBe('SIGNED_OUT');
    // Refused requests are logged by the browser as failed loads; nothing else went wrong.
    expect(watched.problems.filter((p) => !/status of 40[01]/.test(p))).toEqual([]);
  }, 40_000);
});
