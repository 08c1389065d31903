import crypto from 'node:crypto';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Device } from '../../shared/api/entities';
import { uploadPackage } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { stationAuth } from '../support/station-client';
import { stationApi } from './support/api';
import { openUiPage, type PageInBrowser } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

// The Edit device dialog fixes a device's name or label on site (and assigns firmware in the
// same Apply); the Devices table shows the new values as the station pushes them.
describe('editing a device on the Devices page', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: PageInBrowser;
  let page: Page;
  let device: Device;

  beforeAll(async () => {
    station = await startStationProcess();
    api = stationApi(station);
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    await uploadPackage(
      station.httpUrl,
      {
        title: 'CIM-168',
        version: '1.0.1',
        profileId: profile.id,
        type: 'FIRMWARE',
        fileName: 'fw.bin',
      },
      new Uint8Array(crypto.randomBytes(10_000)),
      stationAuth(station),
    );
    device = await api.call('devices.add', { name: 'CIM-168-02-22-90', profileId: profile.id });
    await api.call('devices.add', { name: 'CIM-168-02-22-91', profileId: profile.id });
    watched = await openUiPage(station.uiUrl, 'devices', 'Devices');
    ({ browser, page } = watched);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });

  it('refuses a taken or blank name at the Name field, then saves the label and the firmware together', async () => {
    await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
    const name = dialog.getByLabel('Name', { exact: true });
    // The technician types at once: the name is the first field.
    await expect.poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);

    await name.fill('CIM-168-02-22-91');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    expect(await errorOf(dialog, 'Name')).toBe('A device named "CIM-168-02-22-91" already exists');
    await name.fill('  ');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    expect(await errorOf(dialog, 'Name')).toBe('Name is required');
    expect((await api.call('devices.get', { id: device.id })).name).toBe('CIM-168-02-22-90');

    await name.fill('CIM-168-02-22-90');
    await dialog.getByLabel('Label', { exact: true }).fill('Pump 3');
    await dialog.getByLabel('Firmware', { exact: true }).selectOption({ label: 'CIM-168 1.0.1' });
    expect(await dialog.locator('.field-hint').last().innerText()).toBe(
      'Apply will save the new label and send the new firmware to CIM-168-02-22-90.',
    );
    // Enter in a field applies, as in every form dialog.
    await dialog.getByLabel('Label', { exact: true }).press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('status')
      .getByText('CIM-168-02-22-90: label set to "Pump 3", Firmware CIM-168 1.0.1 assigned')
      .waitFor();
    await expect.poll(() => row('CIM-168-02-22-90').innerText()).toContain('Pump 3');
    expect(await api.call('devices.get', { id: device.id })).toMatchObject({
      name: 'CIM-168-02-22-90',
      label: 'Pump 3',
      firmware: { assignedTitle: 'CIM-168', assignedVersion: '1.0.1' },
    });
    // The edit waits for the cloud like any other change.
    const pending = await api.call('cloud.pending', {});
    expect(pending.filter((i) => i.kind === 'device.updated')).toHaveLength(1);
  });

  it('renames from the keyboard alone, and the table follows an edit made elsewhere', async () => {
    await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
    await dialog.waitFor();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('CIM-168-02-22-93');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('status')
      .getByText('CIM-168-02-22-93: renamed from CIM-168-02-22-90')
      .waitFor();
    await row('CIM-168-02-22-93').waitFor();
    expect(await row('CIM-168-02-22-93').innerText()).toContain('Pump 3');

    // Another window (or the CLI) relabels it: the station's event updates this table.
    await api.call('devices.update', { id: device.id, label: 'Pump 3 (spare)' });
    await expect.poll(() => row('CIM-168-02-22-93').innerText()).toContain('Pump 3 (spare)');
    // The browser logs the taken name's 409 (provoked above); nothing else went wrong.
    expect(watched.problems).toEqual([
      'console: Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
  });

  it('moves a device added under the wrong profile, saying what firmware it then gets', async () => {
    const right = await api.call('profiles.add', { name: 'CIM-200' });
    const fw = await uploadPackage(
      station.httpUrl,
      {
        title: 'CIM-200',
        version: '2.0.0',
        profileId: right.id,
        type: 'FIRMWARE',
        fileName: 'b.bin',
      },
      new Uint8Array(crypto.randomBytes(5_000)),
      stationAuth(station),
    );
    await api.call('profiles.assign', { profileId: right.id, packageId: fw.id });
    await page.getByRole('button', { name: 'Edit CIM-168-02-22-91' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-91' });
    const profile = dialog.getByLabel('Device profile', { exact: true });
    expect(await profile.inputValue()).not.toBe(right.id);
    await profile.selectOption({ label: 'CIM-200' });
    expect(await hintOf(dialog, 'Device profile')).toBe(
      'It will then get CIM-200 2.0.0, the firmware of CIM-200, unless it has its own.',
    );
    expect(await dialog.locator('.field-hint').last().innerText()).toBe(
      'Apply will move it to device profile CIM-200.',
    );
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('status')
      .getByText('CIM-168-02-22-91: moved to device profile CIM-200')
      .waitFor();
    await expect.poll(() => row('CIM-168-02-22-91').innerText()).toContain('CIM-200');
    const moved = (await api.call('devices.list', {})).find((d) => d.name === 'CIM-168-02-22-91');
    expect(moved).toMatchObject({
      profileName: 'CIM-200',
      firmware: { assignedFrom: 'PROFILE', assignedTitle: 'CIM-200', assignedVersion: '2.0.0' },
    });
    const pending = await api.call('cloud.pending', {});
    expect(pending.map((i) => i.label)).toContain('device profile of CIM-168-02-22-91');
  });

  /** The hint under a field, found through the field's aria-describedby. */
  async function hintOf(dialog: Locator, label: string): Promise<string> {
    const control = dialog.getByLabel(label, { exact: true });
    const hintId = ((await control.getAttribute('aria-describedby')) ?? '')
      .split(' ')
      .find((id) => id.endsWith('-hint'));
    return page.locator(`[id="${hintId}"]`).innerText();
  }

  /** The error under a field, found through the field's aria-describedby. */
  async function errorOf(dialog: Locator, label: string): Promise<string> {
    const control = dialog.getByLabel(label, { exact: true });
    await expect.poll(() => control.getAttribute('aria-invalid')).toBe('true');
    const errorId = ((await control.getAttribute('aria-describedby')) ?? '')
      .split(' ')
      .find((id) => id.endsWith('-error'));
    return page.locator(`[id="${errorId}"]`).innerText();
  }
});
