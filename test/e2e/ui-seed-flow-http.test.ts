import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import { fillSeedPackageDialog, submitPackageDialog } from '../support/seed-package-dialog';
import { stationApi } from './support/api';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

// The seed's console steps in the UI, then a device that speaks ThingsBoard's HTTP device API
// (not MQTT) updates: the same Monitor, Devices page and device details show it, with how it
// reached the station; the Station page says where HTTP devices connect.
describe('the seed console flow in the browser, with an HTTP device', () => {
  let station: StationProcess;
  let browser: Browser;
  let watched: WatchedPage;
  let tempDir: string;
  const firmware = crypto.randomBytes(300_000);

  beforeAll(async () => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-ui-http-'));
    station = await startStationProcess();
    browser = await launchBrowser();
    watched = await openPage(browser, station.uiUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });

  it('updates CIM-168-02-22-90 over HTTP and shows it, and the HTTP endpoint', async () => {
    const { page, problems } = watched;
    const file = path.join(tempDir, 'CIM-168-1.0.1.bin');
    fs.writeFileSync(file, firmware);

    // The Station page lists every device API with its address.
    await page.getByRole('link', { name: 'Station' }).click();
    const endpoints = page.getByRole('region', { name: 'Where devices connect' });
    await endpoints.waitFor();
    const endpointText = await endpoints.innerText();
    expect(endpointText).toContain('MQTT');
    expect(endpointText).toContain(station.mqttUrl);
    expect(endpointText).toContain('HTTP');
    expect(endpointText).toContain(station.httpDeviceUrl);
    await screenshot(page, 'station-device-endpoints');

    await page.getByRole('link', { name: 'Packages' }).click();
    await submitPackageDialog(await fillSeedPackageDialog(page), file);
    await page.getByRole('status').getByText('Package CIM-168 1.0.1 added').waitFor();

    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Add device' }).first().click();
    const addDevice = page.getByRole('dialog', { name: 'Add device' });
    await addDevice.getByLabel('Name').fill('CIM-168-02-22-90');
    await addDevice.getByRole('button', { name: 'Add', exact: true }).click();
    await addDevice.waitFor({ state: 'detached' });
    const deviceRow = page.getByRole('row', { name: /CIM-168-02-22-90/ });
    await deviceRow.waitFor();

    await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
    await edit.getByLabel('Firmware', { exact: true }).selectOption({ label: 'CIM-168 1.0.1' });
    await edit.getByRole('button', { name: 'Apply' }).click();
    await edit.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Monitor' }).click();
    const updateRow = page.getByRole('row', { name: /CIM-168-02-22-90/ });
    await updateRow.waitFor();

    const devices = await stationApi(station).call('devices.list', {});
    const device = devices.find((d) => d.name === 'CIM-168-02-22-90');
    expect(device?.lastTransport).toBeNull();
    const summary = await runSimulation({
      transport: 'http',
      url: station.httpDeviceUrl,
      tokens: [device?.accessToken ?? ''],
      packageTypes: ['FIRMWARE'],
      chunkSize: 16_384,
      installed: { fwTitle: 'CIM-168', fwVersion: '1.0.0' },
      timeoutMs: 30_000,
    });
    expect(summary.totals.updated).toBe(1);

    await expect.poll(() => updateRow.innerText(), { timeout: 10_000 }).toContain('UPDATED');
    expect(await updateRow.innerText()).toContain('300 kB / 300 kB');

    await page.getByRole('link', { name: 'Devices' }).click();
    const updatedRow = page.getByRole('row', { name: /CIM-168-02-22-90/ });
    await expect.poll(() => updatedRow.innerText()).toContain('UPDATED');
    expect(await updatedRow.innerText()).toContain('HTTP');
    await page.getByRole('button', { name: 'Details of CIM-168-02-22-90' }).click();
    const drawer = page.getByRole('complementary', { name: 'Device CIM-168-02-22-90' });
    await expect.poll(() => drawer.innerText()).toMatch(/Last transport\s*HTTP/);
    await screenshot(page, 'device-over-http');

    expect(problems).toEqual([]);
  }, 90_000);
});
