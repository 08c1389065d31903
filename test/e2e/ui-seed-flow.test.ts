import crypto from 'node:crypto';

import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { addSeedDevice, assignSeedFirmware, SEED_DEVICE } from '../support/seed-device-dialogs';
import { UPDATE_STATES } from '../support/update-states';
import { screenshot } from './support/browser';
import {
  addSeedPackage,
  expectShownUpdated,
  seedDevice,
  seedFlowScene,
  seedUpdateRow,
  stateOf,
  updateSeedDevice,
  updateTimeline,
} from './support/seed-flow';

// The seed's console steps, done in the UI as a technician would (controls found by their
// labels), against the real headless station; then a simulated device updates and the UI,
// fed only by pushed events, shows it.
describe('the seed console flow in the browser', () => {
  const scene = seedFlowScene('field-ota-ui-files-');

  it('adds package CIM-168 1.0.1, assigns it to CIM-168-02-22-90, and shows the device updated', async () => {
    const { page, problems, station, firmware, file } = scene();

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
    await addSeedPackage(page, file, async (dialog) => {
      expect(await dialog.getByLabel('Tag').inputValue()).toBe('CIM-168 1.0.1');
      expect(await dialog.getByLabel('Checksum algorithm').inputValue()).toBe('SHA256');
    });
    const packageRow = page.getByRole('row', { name: /CIM-168/ });
    await packageRow.waitFor();
    const rowText = await packageRow.innerText();
    expect(rowText).toContain('1.0.1');
    expect(rowText).toContain('Firmware');
    expect(rowText).toContain('SHA256');
    expect(await packageRow.locator('code').innerText()).toBe(
      crypto.createHash('sha256').update(firmware).digest('hex'),
    );

    // Seed step 5-6: Devices; the device to update.
    await addSeedDevice(page, async (dialog) => {
      expect(
        await dialog
          .getByLabel('Device profile', { exact: true })
          .locator('option:checked')
          .innerText(),
      ).toBe('CIM-168');
    });
    const deviceRow = page.getByRole('row', { name: new RegExp(SEED_DEVICE) });
    await deviceRow.waitFor();
    expect(await deviceRow.innerText()).toContain('Offline');

    // Seed steps 7-8: Edit the device, assign firmware, Apply.
    await assignSeedFirmware(page);
    // The station queues the update at once (INITIATED when it has told the device).
    await expect.poll(() => deviceRow.innerText()).toMatch(/QUEUED|INITIATED/);
    expect(await shownText(deviceRow)).toMatch(/Assigned:\s*→\s*CIM-168 1\.0\.1/);

    // Watch the Monitor while a device updates: everything arrives as pushed events.
    const updateRow = await seedUpdateRow(page);
    const summary = await updateSeedDevice(await seedDevice(station), {
      url: station.mqttUrl,
      chunkSize: 16_384,
      timeoutMs: 30_000,
    });
    expect(summary.totals.updated).toBe(1);

    await expectShownUpdated(updateRow);
    // The live region and a toast both tell that the update finished.
    const announcer = page.locator('[aria-live="polite"][aria-atomic="true"]');
    await expect
      .poll(() => announcer.innerText())
      .toBe('CIM-168-02-22-90 updated to CIM-168 1.0.1');
    await page.locator('.toast').getByText('CIM-168-02-22-90 updated to CIM-168 1.0.1').waitFor();

    // The state timeline, with times, in the update's details.
    const timeline = await updateTimeline(page);
    expect(timeline.map(stateOf)).toEqual(UPDATE_STATES);
    for (const line of timeline) expect(line).toMatch(/\d\d:\d\d:\d\d/);

    // Devices shows the new current firmware.
    await page.getByRole('link', { name: 'Devices' }).click();
    const updatedRow = page.getByRole('row', { name: new RegExp(SEED_DEVICE) });
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
