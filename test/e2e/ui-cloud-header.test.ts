import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CloudEmulator, startCloudEmulator } from '../cloud-emulator/emulator';
import { stationApi } from './support/api';
import { launchBrowser, openPage, screenshot } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

// The header's cloud figure follows the station's sync as pushed events: not configured,
// online once signed in (with what waits to be synced), not signed in after signing out.
describe('the cloud status in the header', () => {
  let cloud: CloudEmulator;
  let station: StationProcess;
  let browser: Browser;

  beforeAll(async () => {
    cloud = await startCloudEmulator();
    station = await startStationProcess();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    await cloud?.close();
  });

  it('says not configured, then online, then not signed in', async () => {
    const api = stationApi(station);
    const { page, problems } = await openPage(browser, `${station.uiUrl}#/devices`);
    const cloudItem = page
      .getByRole('list', { name: 'Station status' })
      .getByRole('listitem')
      .filter({
        hasText: 'Cloud',
      });
    await expect.poll(() => cloudItem.innerText()).toMatch(/Not configured/);

    await api.call('cloud.login', {
      url: cloud.url,
      username: 'tenant@thingsboard.org',
      password: 'tenant',
    });
    await expect
      .poll(() => cloudItem.innerText(), { timeout: 15_000 })
      .toMatch(/Online[\s\S]*(in sync|to sync)/);
    await screenshot(page, 'header-cloud-online-light');

    await api.call('cloud.logout', {});
    await expect.poll(() => cloudItem.innerText(), { timeout: 15_000 }).toMatch(/Not signed in/);
    expect(problems).toEqual([]);
  }, 60_000);
});
