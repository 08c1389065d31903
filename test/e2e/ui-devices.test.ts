import crypto from 'node:crypto';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Package, Profile } from '../../shared/api/entities';
import { uploadPackage } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { stationAuth } from '../support/station-client';
import { stationApi } from './support/api';
import { openUiPage, type PageInBrowser } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

const FLEET = 150;

// The Devices page over a fleet bigger than a screen: virtualised rows, search and filters,
// adding and importing devices, assigning firmware to many with the count said first, and a
// dialog used from the keyboard alone.
describe('the Devices page', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: PageInBrowser;
  let page: Page;
  let cim168: Profile;
  let firmware: Package;
  const names: string[] = [];

  beforeAll(async () => {
    station = await startStationProcess();
    api = stationApi(station);
    cim168 = await api.call('profiles.add', { name: 'CIM-168' });
    const cim200 = await api.call('profiles.add', { name: 'CIM-200' });
    firmware = await uploadPackage(
      station.httpUrl,
      {
        title: 'CIM-168',
        version: '1.0.1',
        profileId: cim168.id,
        type: 'FIRMWARE',
        fileName: 'fw.bin',
      },
      new Uint8Array(crypto.randomBytes(10_000)),
      stationAuth(station),
    );
    for (let i = 0; i < FLEET; i++) {
      const profile = i % 3 === 2 ? cim200 : cim168;
      const name = `${profile.name}-02-22-${String(i).padStart(3, '0')}`;
      names.push(name);
      await api.call('devices.add', { name, profileId: profile.id });
    }
    watched = await openUiPage(station.uiUrl, 'devices', 'Devices');
    ({ browser, page } = watched);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  const table = () => page.getByRole('region', { name: /Devices table/ });
  const resultCount = () => page.locator('.result-count').innerText();
  const renderedRows = () => table().locator('tbody tr:not(.spacer)').count();

  it('renders only the rows in view and reaches the last device by scrolling', async () => {
    await table()
      .getByRole('row', { name: /CIM-168-02-22-000/ })
      .waitFor();
    expect(await resultCount()).toBe(`${FLEET} devices`);
    const rendered = await renderedRows();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(FLEET);
    expect(await table().locator('table').getAttribute('aria-rowcount')).toBe(String(FLEET + 1));

    const last = [...names].sort()[names.length - 1]!;
    await table().evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await table()
      .getByRole('row', { name: new RegExp(last) })
      .waitFor();
    expect(await renderedRows()).toBeLessThan(FLEET);
    await table().evaluate((el) => el.scrollTo(0, 0));
    // Spacer rows are sized through the DOM, never by inline style markup the CSP would refuse.
    expect(watched.problems).toEqual([]);
  });

  it('filters as you type, by profile and by connection', async () => {
    await page.getByLabel('Search devices').fill('02-22-01');
    const expected = names.filter((n) => n.includes('02-22-01')).length;
    await expect.poll(resultCount).toBe(`${expected} of ${FLEET} devices`);

    await page.getByLabel('Search devices').fill('');
    await page.getByLabel('Device profile', { exact: true }).selectOption({ label: 'CIM-200' });
    const cim200 = names.filter((n) => n.startsWith('CIM-200')).length;
    await expect.poll(resultCount).toBe(`${cim200} of ${FLEET} devices`);

    await page.getByLabel('Connection').selectOption({ label: 'Online' });
    await page.getByText('No device matches').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(resultCount).toBe(`${FLEET} devices`);
  });

  it('adds a device, refusing a taken name and a token with spaces at the right field', async () => {
    await page.getByRole('button', { name: 'Add device' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add device' });
    await dialog.getByLabel('Name').fill(names[0]!);
    await dialog.getByLabel('Access token').fill('has a space');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    expect(await errorOf(dialog, 'Access token (optional)')).toBe(
      'Access token may contain only printable characters without spaces',
    );

    await dialog.getByLabel('Access token').fill('CIM-168-TOKEN-NEW');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    expect(await errorOf(dialog, 'Name')).toBe(`A device named "${names[0]}" already exists`);

    await dialog.getByLabel('Name').fill('CIM-168-NEW-1');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(resultCount).toBe(`${FLEET + 1} devices`);
    const added = (await api.call('devices.list', {})).find((d) => d.name === 'CIM-168-NEW-1');
    expect(added).toMatchObject({ accessToken: 'CIM-168-TOKEN-NEW', profileId: cim168.id });
  });

  it('imports devices from CSV, creating the missing profile and reporting bad lines', async () => {
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import devices from CSV' });
    await dialog
      .getByLabel('Or paste the lines here')
      .fill(
        `name,profile,label,token\nCIM-300-01,CIM-300,Roof east,tok-300-01\n${names[1]},CIM-168\n,CIM-300\nCIM-300-02,CIM-300\n`,
      );
    const plan = await dialog.locator('.import-plan').innerText();
    expect(plan).toContain('2 devices to add');
    expect(plan).toContain('1 already on the station (skipped)');
    expect(plan).toContain('new device profiles: CIM-300');
    expect(plan).toContain('Line 4: the device name is missing');
    await dialog.getByRole('button', { name: 'Add 2 devices' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('2 devices imported').waitFor();

    const devices = await api.call('devices.list', {});
    const imported = devices.filter((d) => d.name.startsWith('CIM-300-'));
    expect(imported.map((d) => [d.name, d.label, d.profileName]).sort()).toEqual([
      ['CIM-300-01', 'Roof east', 'CIM-300'],
      ['CIM-300-02', '', 'CIM-300'],
    ]);
    expect(imported.find((d) => d.name === 'CIM-300-01')?.accessToken).toBe('tok-300-01');
  });

  it('assigns firmware to the shown devices as one job, after saying how many will be updated', async () => {
    await page.getByLabel('Search devices').fill('CIM-168-02-22-00');
    const shown = names.filter((n) => n.startsWith('CIM-168-02-22-00'));
    await expect.poll(resultCount).toBe(`${shown.length} of ${FLEET + 3} devices`);
    await page.getByRole('button', { name: 'Assign firmware…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign firmware to shown devices' });
    // (Toasts still showing move into an open dialog, with their own status region.)
    expect(
      await dialog.getByRole('status').filter({ hasText: 'will be updated' }).innerText(),
    ).toContain(`${shown.length} devices will be updated to CIM-168 1.0.1`);
    await dialog.getByLabel('Devices downloading at once').fill('-1');
    await dialog.getByRole('button', { name: `Apply to ${shown.length} devices` }).click();
    expect(await dialog.getByRole('alert').innerText()).toMatch(
      /^Devices downloading at once: Too small/,
    );
    await dialog.getByLabel('Devices downloading at once').fill('3');
    await dialog.getByRole('button', { name: `Apply to ${shown.length} devices` }).click();
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });

    // One job for the selection, paced as asked.
    const jobs = await api.call('jobs.list', {});
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      packageId: firmware.id,
      policy: { concurrency: 3 },
      counts: { total: shown.length },
    });

    const devices = await api.call('devices.list', {});
    const assigned = devices
      .filter((d) => d.firmware.assignedPackageId === firmware.id)
      .map((d) => d.name);
    expect(assigned.sort()).toEqual(shown.sort());
    await expect.poll(() => table().textContent()).toContain('→ CIM-168 1.0.1');
    await page.getByLabel('Search devices').fill('');
  });

  it('works from the keyboard: the dialog keeps focus inside, Escape closes it, focus returns', async () => {
    const opener = page.getByRole('button', { name: 'Add device' });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add device' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      await dialog.getByLabel('Name').getAttribute('id'),
    );
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      const inside = await dialog.evaluate((el) => el.contains(document.activeElement));
      // Tab may step out to the browser's own UI between wraps; never onto the page behind.
      const onPage = await page.evaluate(() => document.activeElement !== document.body);
      if (onPage) expect(inside).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
  });

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
