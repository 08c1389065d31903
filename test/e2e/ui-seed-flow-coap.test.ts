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

// The seed's console flow in the browser with a device that speaks CoAP instead of MQTT: the
// technician does exactly the same; the device updates over UDP; the UI, fed by pushed events,
// shows it, and the Station page shows the CoAP endpoint and the device on it.
describe('the seed console flow with a CoAP device', () => {
  let station: StationProcess;
  let browser: Browser;
  let watched: WatchedPage;
  let tempDir: string;
  const firmware = crypto.randomBytes(300_000);

  beforeAll(async () => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-ui-coap-'));
    station = await startStationProcess();
    browser = await launchBrowser();
    watched = await openPage(browser, station.uiUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });

  it('assigns CIM-168 1.0.1 in the UI and shows the CoAP device updated', async () => {
    const { page, problems } = watched;
    const file = path.join(tempDir, 'CIM-168-1.0.1.bin');
    fs.writeFileSync(file, firmware);

    await page.getByRole('link', { name: 'Packages' }).click();
    await submitPackageDialog(await fillSeedPackageDialog(page), file);
    await page.getByRole('status').getByText('Package CIM-168 1.0.1 added').waitFor();

    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Add device' }).first().click();
    const addDevice = page.getByRole('dialog', { name: 'Add device' });
    await addDevice.getByLabel('Name').fill('CIM-168-02-22-90');
    await addDevice.getByRole('button', { name: 'Add', exact: true }).click();
    await addDevice.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
    await edit.getByLabel('Firmware', { exact: true }).selectOption({ label: 'CIM-168 1.0.1' });
    await edit.getByRole('button', { name: 'Apply' }).click();
    await edit.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Monitor' }).click();
    const updateRow = page.getByRole('row', { name: /CIM-168-02-22-90/ });
    await updateRow.waitFor();
    expect(await updateRow.innerText()).toMatch(/QUEUED|INITIATED/);

    const devices = await stationApi(station).call('devices.list', {});
    const device = devices.find((d) => d.name === 'CIM-168-02-22-90')!;
    const summary = await runSimulation({
      transport: 'coap',
      url: station.coapUrl,
      tokens: [device.accessToken],
      packageTypes: ['FIRMWARE'],
      installed: { fwTitle: 'CIM-168', fwVersion: '1.0.0' },
      timeoutMs: 60_000,
    });
    expect(summary.devices[0]).toMatchObject({ state: 'UPDATED', bytes: firmware.length });

    // Byte progress counted per CoAP block, states moved by telemetry POSTed over CoAP.
    await expect.poll(() => updateRow.innerText(), { timeout: 10_000 }).toContain('UPDATED');
    expect(await updateRow.innerText()).toContain('300 kB / 300 kB');
    await page.getByRole('button', { name: /Details of CIM-168-02-22-90/ }).click();
    const details = page.getByRole('complementary', { name: 'Update of CIM-168-02-22-90' });
    const timeline = await details
      .getByRole('list', { name: 'Timeline' })
      .getByRole('listitem')
      .allInnerTexts();
    expect(timeline.map((line) => line.match(/[A-Z_]{5,}/)?.[0])).toEqual([
      'QUEUED',
      'INITIATED',
      'DOWNLOADING',
      'DOWNLOADED',
      'VERIFIED',
      'UPDATING',
      'UPDATED',
    ]);

    // The Station page: where CoAP devices reach the station, and this one among the
    // connected devices (present for a while after its last request), over CoAP.
    await page.getByRole('link', { name: 'Station' }).click();
    const card = page.getByRole('region', { name: 'Where devices connect' });
    await card.waitFor();
    expect(await card.innerText()).toContain('CoAP');
    expect(await card.innerText()).toContain(station.coapUrl);
    const connected = page
      .getByRole('region', { name: 'Connected devices table' })
      .getByRole('row')
      .filter({ hasText: 'CIM-168-02-22-90' });
    await expect.poll(() => connected.innerText()).toContain('CoAP');
    await screenshot(page, 'station-coap');

    expect(problems).toEqual([]);
  }, 120_000);
});
