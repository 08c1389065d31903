import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freeLocalPort } from '../support/free-port';
import { stationApi } from './support/api';
import { launchBrowser, openPage, screenshot } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

// Offline is normal: when the station goes away the page keeps what it showed and says it is
// reconnecting; when it is back, the page reloads its state and follows events again.
describe('the UI when the station goes away and comes back', () => {
  let station: StationProcess | null = null;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-ui-offline-'));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows "reconnecting", keeps the last known state, says a restart needs its new address, and catches up there', async () => {
    const ports = { httpPort: await freeLocalPort(), mqttPort: await freeLocalPort() };
    station = await startStationProcess({ dataDir, keepDataDir: true, ...ports });
    const api = stationApi(station);
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    await api.call('devices.add', { name: 'CIM-168-02-22-90', profileId: profile.id });

    const { page, problems } = await openPage(browser, `${station.uiUrl}#/devices`);
    await page.getByRole('row', { name: /CIM-168-02-22-90/ }).waitFor();
    const header = page.getByRole('list', { name: 'Station status' });
    await expect.poll(() => header.innerText()).toContain('Connected');

    await station.stop();
    station = null;
    await page.getByText('Connection to the station lost: reconnecting…').waitFor();
    expect(await header.innerText()).toContain('Reconnecting…');
    expect(await page.getByRole('row', { name: /CIM-168-02-22-90/ }).count()).toBe(1);
    await screenshot(page, 'offline-reconnecting-light');

    // A new start has a new secret: the page says so, and what to open, instead of spinning.
    station = await startStationProcess({ dataDir, keepDataDir: true, ...ports });
    await page.getByText('The station was restarted with a new access secret').waitFor({
      timeout: 15_000,
    });
    expect(await header.innerText()).toContain('Secret refused');
    expect(await page.getByRole('row', { name: /CIM-168-02-22-90/ }).count()).toBe(1);
    await screenshot(page, 'offline-new-secret-light');

    // Opening the address it printed catches up (and keeps the secret out of the address bar).
    await page.goto(`${station.uiUrl}#/devices`);
    await expect.poll(() => header.innerText()).toContain('Connected');
    expect(page.url()).not.toContain('token=');
    // Events flow again: a device added now shows up without reloading the page.
    await stationApi(station).call('devices.add', {
      name: 'CIM-168-02-22-91',
      profileId: profile.id,
    });
    await page.getByRole('row', { name: /CIM-168-02-22-91/ }).waitFor();

    // The browser logs each refused reconnection attempt; nothing else may go wrong.
    const unexpected = problems.filter(
      (p) => !/WebSocket connection|ERR_CONNECTION_REFUSED|Failed to load resource|401/.test(p),
    );
    expect(unexpected).toEqual([]);
  }, 60_000);
});
