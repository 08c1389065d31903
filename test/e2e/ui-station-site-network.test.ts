import net from 'node:net';
import os from 'node:os';

import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ApiClient } from '../../shared/api/operations';
import { freeLocalPort } from '../support/free-port';
import { stationApi } from './support/api';
import { accessibilityProblems } from './support/axe';
import { openPage, openUiPage, type PageInBrowser, screenshot } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

/** "192.168.1.23:1883 (eth0)" for each IPv4 address of this computer outside loopback. */
function expectedAddresses(port: number): string[] {
  return Object.entries(os.networkInterfaces()).flatMap(([name, infos]) =>
    (infos ?? [])
      .filter((info) => info.family === 'IPv4' && !info.internal)
      .map((info) => `${info.address}:${port} (${name})`),
  );
}

function listenOn(host: string, port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

// The Station page's "Serve the site network" switch on the real headless station, in Chromium:
// on and back off by mouse and keyboard, the hint naming where devices connect, the header
// following in every open window, and a refusal shown where the switch is.
describe('the Station page site network switch', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: PageInBrowser;
  let page: Page;
  let mqttPort: number;

  beforeAll(async () => {
    // A known port, so the refusal test can take it elsewhere.
    station = await startStationProcess({ mqttPort: await freeLocalPort() });
    mqttPort = Number(new URL(station.mqttUrl).port);
    api = stationApi(station);
    watched = await openUiPage(station.uiUrl, 'station', 'Station');
    ({ browser, page } = watched);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  const siteSwitch = () => page.getByRole('switch', { name: 'Serve the site network' });
  const mqttCard = () => page.getByRole('region', { name: 'MQTT device API' });
  const header = (p: Page = page) => p.getByRole('list', { name: 'Station status' });
  const siteNetworkNow = async () => (await api.call('station.status', {})).mqtt.siteNetwork;

  it('starts off, serving this computer only', async () => {
    expect(await siteSwitch().isChecked()).toBe(false);
    expect(await siteSwitch().isDisabled()).toBe(false);
    await mqttCard().getByText('Off: only this computer (127.0.0.1) can connect').waitFor();
    const headerText = await header().innerText();
    expect(headerText).toContain(station.mqttUrl);
    expect(headerText).toContain('this computer only');
  });

  it('turns on: the hint and the header say where devices connect, in every window', async () => {
    const other = await openPage(browser, `${station.uiUrl}#/devices`);
    await header(other.page).getByText('this computer only').waitFor();

    await siteSwitch().check();
    await page
      .getByRole('status')
      .getByText(/^Serving the site network/)
      .waitFor();
    expect(await siteSwitch().isChecked()).toBe(true);

    const status = await api.call('station.status', {});
    expect(status.mqtt).toMatchObject({ host: '0.0.0.0', port: mqttPort, siteNetwork: true });
    const addresses = expectedAddresses(mqttPort);
    const hint = mqttCard().locator('.switch-row');
    if (addresses.length > 0) {
      await hint.getByText(`Devices on the site network connect to ${addresses[0]}`).waitFor();
      for (const address of addresses)
        expect(await mqttCard().locator('dl').innerText()).toContain(address);
    } else {
      await hint.getByText('this computer has no network address right now').waitFor();
    }
    const firstUrl = status.mqtt.lanAddresses[0]?.url ?? status.mqtt.url;
    await header().getByText('site network').waitFor();
    expect(await header().innerText()).toContain(firstUrl);
    // The other window heard of it without a reload.
    await header(other.page)
      .getByText(/^site network/)
      .waitFor();
    expect(await header(other.page).innerText()).toContain(firstUrl);
    await other.context.close();

    // A device on this computer still connects, and the Station page counts it.
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    const device = await api.call('devices.add', {
      name: 'CIM-168-02-22-90',
      profileId: profile.id,
    });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: device.accessToken,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    try {
      await header().getByText('1 connected').waitFor();
    } finally {
      await client.endAsync();
    }

    await page.mouse.move(0, 0);
    await screenshot(page, 'station-site-network-on-light');
    expect(await accessibilityProblems(page), 'Station page, site network on').toEqual([]);
  });

  it('turns back off with the keyboard', async () => {
    await siteSwitch().focus();
    await page.keyboard.press('Space');
    await page.getByRole('status').getByText('Serving this computer only (127.0.0.1)').waitFor();
    expect(await siteSwitch().isChecked()).toBe(false);
    await header().getByText('this computer only').waitFor();
    expect(await header().innerText()).toContain(station.mqttUrl);
    expect((await api.call('station.status', {})).mqtt).toMatchObject({
      host: '127.0.0.1',
      siteNetwork: false,
    });
    // Focus stays on the switch for the next press.
    expect(await siteSwitch().evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it.skipIf(process.platform !== 'linux')(
    'shows why it was refused, next to the switch, and stays off',
    async () => {
      // Another program on 127.0.0.2 with the station's port: 0.0.0.0 would overlap with it.
      const blocker = await listenOn('127.0.0.2', mqttPort);
      try {
        await siteSwitch().click();
        const refusal = mqttCard().getByRole('alert');
        await refusal.waitFor();
        expect(await refusal.innerText()).toContain(
          `Cannot serve the site network: port ${mqttPort} is already used on another address`,
        );
        expect(await refusal.innerText()).toContain(
          `devices still connect to 127.0.0.1:${mqttPort}`,
        );
        await expect.poll(() => siteSwitch().isChecked()).toBe(false);
        expect(await header().innerText()).toContain('this computer only');
        await page.mouse.move(0, 0);
        await screenshot(page, 'station-site-network-refused-light');
        expect(await accessibilityProblems(page), 'Station page, refusal').toEqual([]);
      } finally {
        await new Promise<void>((resolve) => blocker.close(() => resolve()));
      }
      // With the port free again the switch works, and the refusal goes away.
      await siteSwitch().check();
      await expect.poll(() => siteNetworkNow()).toBe(true);
      await mqttCard().getByRole('alert').waitFor({ state: 'detached' });
      await header().getByText('site network').waitFor();
      await siteSwitch().uncheck();
      await expect.poll(() => siteNetworkNow()).toBe(false);
      await header().getByText('this computer only').waitFor();
      // The refusal's HTTP 409 is Chromium's console line; anything else is a fault.
      const unexpected = watched.problems.filter((p) => !/status of 409 \(Conflict\)/.test(p));
      expect(unexpected).toEqual([]);
      expect(watched.problems).toHaveLength(1);
    },
  );
});
