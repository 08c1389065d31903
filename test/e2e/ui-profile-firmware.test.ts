import crypto from 'node:crypto';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Device, Package } from '../../shared/api/entities';
import { uploadPackage } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { stationAuth } from '../support/station-client';
import { stationApi } from './support/api';
import { accessibilityProblems } from './support/axe';
import { openUiPage, type PageInBrowser, screenshot } from './support/browser';
import { addDevices, uploadSeedFirmware } from './support/fleet';
import { startStationProcess, type StationProcess } from './support/station-process';

// A device profile's firmware, set from the Devices page: the dialog says how many devices it
// will update before Apply, and the Devices page and the device's details then say which
// devices get it from the profile and which have their own.
describe('profile firmware on the Devices page', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: PageInBrowser;
  let page: Page;
  let devices: Device[];
  let profileFirmware: Package;

  beforeAll(async () => {
    station = await startStationProcess();
    api = stationApi(station);
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    const own = await uploadSeedFirmware(station, profile.id, 8_000);
    profileFirmware = await uploadPackage(
      station.httpUrl,
      {
        title: 'CIM-168',
        version: '2.0.0',
        profileId: profile.id,
        type: 'FIRMWARE',
        fileName: 'cim168-2.0.0.bin',
      },
      new Uint8Array(crypto.randomBytes(9_000)),
      stationAuth(station),
    );
    devices = await addDevices(api, profile.id, [
      'CIM-168-02-22-90',
      'CIM-168-02-22-91',
      'CIM-168-02-22-92',
    ]);
    await api.call('assignments.assign', { deviceId: devices[0]!.id, packageId: own.id });
    watched = await openUiPage(station.uiUrl, 'devices', 'Devices');
    ({ browser, page } = watched);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  /** What the details say under "Firmware assigned", words in reading order. */
  const assignedFact = async (details: Locator) =>
    (
      await details.locator('dt', { hasText: 'Firmware assigned' }).locator('+ dd').innerText()
    ).replace(/\s+/g, ' ');
  const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });
  /** The firmware cell's words as read in order (screen-reader-only words included). */
  const firmwareCell = async (name: string) =>
    (await row(name).getByRole('cell').nth(3).innerText()).replace(/\s+/g, ' ');

  it('assigns the profile firmware after saying how many devices it will update', async () => {
    await page.getByRole('button', { name: 'Device profiles…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Device profiles' });
    const overview = dialog.getByRole('table', { name: 'Device profiles and their packages' });
    expect(await overview.getByRole('row', { name: /CIM-168/ }).innerText()).toBe(
      'CIM-168\t3\tNone\tNone',
    );

    await dialog.getByLabel('Profile firmware').selectOption({ label: 'CIM-168 2.0.0' });
    const count = dialog.locator('.confirm-count');
    expect(await count.innerText()).toBe(
      '2 devices will be updated to CIM-168 2.0.0.\n\n1 device of CIM-168 with their own firmware keep it.',
    );
    expect(await accessibilityProblems(page), 'Device profiles dialog').toEqual([]);
    await screenshot(page, 'profile-firmware-dialog');

    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page
      .getByRole('status')
      .getByText('Firmware of CIM-168 set to CIM-168 2.0.0: 2 devices will be updated')
      .waitFor();

    // The station made one job for the two devices that follow the profile.
    const jobs = await api.call('jobs.list', {});
    const job = jobs.find((j) => j.packageId === profileFirmware.id);
    expect(job).toMatchObject({ target: { kind: 'PROFILE' }, counts: { total: 2 } });
  });

  it('shows on the Devices page and in the details where each device gets its firmware', async () => {
    await expect
      .poll(() => firmwareCell('CIM-168-02-22-91'))
      .toBe('— Assigned: → CIM-168 2.0.0 from profile');
    expect(await firmwareCell('CIM-168-02-22-92')).toBe('— Assigned: → CIM-168 2.0.0 from profile');
    expect(await firmwareCell('CIM-168-02-22-90')).toBe('— Assigned: → CIM-168 1.0.1');

    await screenshot(page, 'profile-firmware-devices');
    await page.getByRole('button', { name: 'Details of CIM-168-02-22-91' }).click();
    const details = page.getByRole('complementary', { name: 'Device CIM-168-02-22-91' });
    expect(await assignedFact(details)).toBe('CIM-168 2.0.0 from profile CIM-168');
    await details.getByRole('button', { name: 'Close details' }).click();

    await page.getByRole('button', { name: 'Details of CIM-168-02-22-90' }).click();
    const ownDetails = page.getByRole('complementary', { name: 'Device CIM-168-02-22-90' });
    expect(await assignedFact(ownDetails)).toBe('CIM-168 1.0.1 its own (not the profile’s)');
    await ownDetails.getByRole('button', { name: 'Close details' }).click();

    // Editing a follower: it has no firmware of its own, and None says what it gets instead.
    await page.getByRole('button', { name: 'Edit CIM-168-02-22-91' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-91' });
    expect(
      await edit
        .getByLabel('Firmware', { exact: true })
        .evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent),
    ).toBe("None: the profile's CIM-168 2.0.0");
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // Its own assignment removed, the device falls back to the profile's firmware.
    await api.call('assignments.unassign', { deviceId: devices[0]!.id, type: 'FIRMWARE' });
    await expect
      .poll(() => firmwareCell('CIM-168-02-22-90'))
      .toBe('— Assigned: → CIM-168 2.0.0 from profile');

    await page.getByRole('button', { name: 'Device profiles…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Device profiles' });
    expect(
      await dialog
        .getByRole('table', { name: 'Device profiles and their packages' })
        .getByRole('row', { name: /CIM-168/ })
        .innerText(),
    ).toBe('CIM-168\t3\tCIM-168 2.0.0\tNone');
    await dialog.getByLabel('Profile firmware').selectOption({ label: 'None' });
    expect(await dialog.locator('.confirm-count').innerText()).toBe(
      "3 devices will lose the profile's firmware.",
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(watched.problems).toEqual([]);
  });
});
