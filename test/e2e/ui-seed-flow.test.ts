import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import { fillSeedPackageDialog, submitPackageDialog } from '../support/seed-package-dialog';
import { stationApi } from './support/api';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

// The seed's console steps, done in the UI as a technician would (controls found by their
// labels), against the real headless station; then a simulated device updates and the UI,
// fed only by pushed events, shows it.
describe('the seed console flow in the browser', () => {
  let station: StationProcess;
  let browser: Browser;
  let watched: WatchedPage;
  let tempDir: string;
  const firmware = crypto.randomBytes(300_000);
  const sha256 = crypto.createHash('sha256').update(firmware).digest('hex');

  beforeAll(async () => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-ui-files-'));
    station = await startStationProcess();
    browser = await launchBrowser();
    watched = await openPage(browser, station.uiUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });

  it('adds package CIM-168 1.0.1, assigns it to CIM-168-02-22-90, and shows the device updated', async () => {
    const { page, problems } = watched;
    const file = path.join(tempDir, 'CIM-168-1.0.1.bin');
    fs.writeFileSync(file, firmware);

    // A new station: each page says what to do first, with the button for it.
    for (const [link, empty, action] of [
      ['Devices', 'No devices yet', 'Add device'],
      ['Monitor', 'No updates yet', 'Go to Devices'],
      ['Packages', 'No packages yet', 'Add package'],
    ] as const) {
      await page.getByRole('link', { name: link }).click();
      const region = page.getByRole('region', { name: empty });
      await region.waitFor();
      expect(await region.getByRole('button', { name: action }).count()).toBe(1);
      await screenshot(page, `empty-${link.toLowerCase()}-light`);
    }

    // Seed steps 2-4: Add Package with Title, Version, Device profile, Package type and binary.
    const addPackage = await fillSeedPackageDialog(page);
    expect(await addPackage.getByLabel('Tag').inputValue()).toBe('CIM-168 1.0.1');
    expect(await addPackage.getByLabel('Checksum algorithm').inputValue()).toBe('SHA256');
    await submitPackageDialog(addPackage, file);

    const packageRow = page.getByRole('row', { name: /CIM-168/ });
    await packageRow.waitFor();
    const rowText = await packageRow.innerText();
    expect(rowText).toContain('1.0.1');
    expect(rowText).toContain('Firmware');
    expect(rowText).toContain('SHA256');
    expect(await packageRow.locator('code').innerText()).toBe(sha256);
    await page.getByRole('status').getByText('Package CIM-168 1.0.1 added').waitFor();

    // Seed step 5-6: Devices; the device to update.
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Add device' }).first().click();
    const addDevice = page.getByRole('dialog', { name: 'Add device' });
    await addDevice.getByLabel('Name').fill('CIM-168-02-22-90');
    expect(
      await addDevice
        .getByLabel('Device profile', { exact: true })
        .locator('option:checked')
        .innerText(),
    ).toBe('CIM-168');
    await addDevice.getByRole('button', { name: 'Add', exact: true }).click();
    await addDevice.waitFor({ state: 'detached' });
    const deviceRow = page.getByRole('row', { name: /CIM-168-02-22-90/ });
    await deviceRow.waitFor();
    expect(await deviceRow.innerText()).toContain('Offline');

    // Seed steps 7-8: Edit the device, assign firmware, Apply.
    await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
    await edit.getByLabel('Firmware', { exact: true }).selectOption({ label: 'CIM-168 1.0.1' });
    await edit.getByRole('button', { name: 'Apply' }).click();
    await edit.waitFor({ state: 'detached' });
    // The station queues the update at once (INITIATED when it has told the device).
    await expect.poll(() => deviceRow.innerText()).toMatch(/QUEUED|INITIATED/);
    expect(await shownText(deviceRow)).toMatch(/Assigned:\s*→\s*CIM-168 1\.0\.1/);

    // Watch the Monitor while a device updates: everything arrives as pushed events.
    await page.getByRole('link', { name: 'Monitor' }).click();
    const updateRow = page.getByRole('row', { name: /CIM-168-02-22-90/ });
    await updateRow.waitFor();
    expect(await updateRow.innerText()).toMatch(/QUEUED|INITIATED/);

    const devices = await stationApi(station).call('devices.list', {});
    const device = devices.find((d) => d.name === 'CIM-168-02-22-90');
    expect(device).toBeDefined();
    const summary = await runSimulation({
      url: station.mqttUrl,
      tokens: [device!.accessToken],
      packageTypes: ['FIRMWARE'],
      chunkSize: 16_384,
      installed: { fwTitle: 'CIM-168', fwVersion: '1.0.0' },
      timeoutMs: 30_000,
    });
    expect(summary.totals.updated).toBe(1);

    await expect.poll(() => updateRow.innerText(), { timeout: 10_000 }).toContain('UPDATED');
    const finished = await updateRow.innerText();
    expect(finished).toContain('300 kB / 300 kB');
    // The live region and a toast both tell that the update finished.
    const announcer = page.locator('[aria-live="polite"][aria-atomic="true"]');
    await expect
      .poll(() => announcer.innerText())
      .toBe('CIM-168-02-22-90 updated to CIM-168 1.0.1');
    await page.locator('.toast').getByText('CIM-168-02-22-90 updated to CIM-168 1.0.1').waitFor();

    // The state timeline, with times, in the update's details.
    await page.getByRole('button', { name: /Details of CIM-168-02-22-90/ }).click();
    const details = page.getByRole('complementary', { name: 'Update of CIM-168-02-22-90' });
    const timeline = await details
      .getByRole('list', { name: 'Timeline' })
      .getByRole('listitem')
      .allInnerTexts();
    const states = timeline.map((line) => line.match(/[A-Z_]{5,}/)?.[0]);
    expect(states).toEqual([
      'QUEUED',
      'INITIATED',
      'DOWNLOADING',
      'DOWNLOADED',
      'VERIFIED',
      'UPDATING',
      'UPDATED',
    ]);
    for (const line of timeline) expect(line).toMatch(/\d\d:\d\d:\d\d/);

    // Devices shows the new current firmware.
    await page.getByRole('link', { name: 'Devices' }).click();
    const updatedRow = page.getByRole('row', { name: /CIM-168-02-22-90/ });
    await expect.poll(() => shownText(updatedRow)).toContain('CIM-168 1.0.1');
    const cells = await updatedRow
      .getByRole('cell')
      .evaluateAll((all) => all.map((c) => (c.textContent ?? '').replace(/\s+/g, ' ')));
    expect(cells.find((c) => c.includes('CIM-168 1.0.1'))).toBeDefined();
    expect(await updatedRow.innerText()).toContain('UPDATED');
    expect(await shownText(updatedRow)).not.toContain('1.0.0');

    expect(problems).toEqual([]);
  }, 90_000);
});

/**
 * A row's text as one line, the way it reads on screen: names and versions that may be cut in the
 * middle are two spans laid out side by side, which innerText would split onto two lines.
 */
function shownText(locator: Locator): Promise<string> {
  return locator.evaluate((el) => (el.textContent ?? '').replace(/\s+/g, ' '));
}
