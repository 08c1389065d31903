import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accessibilityProblems } from './support/axe';
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchBrowser,
  PAGE_WAIT,
  pagesClosedAfterEach,
  screenshot,
} from './support/browser';
import { buildScene, type Scene } from './support/scene';
import { startStationProcess, type StationProcess } from './support/station-process';

const PAGES = [
  { name: 'packages', heading: 'Packages', ready: 'CIM-200-app' },
  { name: 'devices', heading: 'Devices', ready: 'CIM-168-02-22-90' },
  { name: 'monitor', heading: 'Monitor', ready: 'UPDATED' },
  { name: 'station', heading: 'Station', ready: 'Recent protocol errors' },
] as const;

// Every page, in both themes, over a station in the middle of a site visit: screenshots for
// people to look at (test-results/screenshots) and axe-core for what a machine can check.
describe.each(['light', 'dark'] as const)(
  'every page in the %s theme',
  { timeout: BROWSER_TEST_TIMEOUT_MS },
  (scheme) => {
    let station: StationProcess;
    let browser: Browser;
    let scene: Scene;
    const openPageHere = pagesClosedAfterEach();

    beforeAll(async () => {
      station = await startStationProcess();
      scene = await buildScene(station, station.mqttUrl);
      browser = await launchBrowser();
    }, BROWSER_TEST_TIMEOUT_MS);

    afterAll(async () => {
      await browser?.close();
      await scene?.close();
      await station?.stop();
    });

    it('renders each page with its data and no serious or critical accessibility violation', async () => {
      const { page, problems } = await openPageHere(browser, station.uiUrl, scheme);
      for (const { name, heading, ready } of PAGES) {
        await page.getByRole('link', { name: heading }).click();
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.getByText(ready).first().waitFor();
        await page.mouse.move(0, 0);
        await screenshot(page, `${name}-${scheme}`);
        expect(await accessibilityProblems(page), `${name} page`).toEqual([]);
      }
      expect(problems).toEqual([]);
    });

    it('shows the live states with their words and the header figures', async () => {
      const { page } = await openPageHere(browser, `${station.uiUrl}#/monitor`, scheme);
      await page.getByRole('heading', { level: 1, name: 'Monitor' }).waitFor();
      const table = page.getByRole('region', { name: /Updates table/ });
      await expect.poll(() => table.innerText(), PAGE_WAIT).toContain('DOWNLOADING');
      const text = await table.innerText();
      for (const state of ['UPDATED', 'FAILED', 'DOWNLOADING']) expect(text).toContain(state);
      // The failed device's fw_error is shown with its row.
      expect(text).toMatch(/FAILED[\s\S]*checksum|checksum[\s\S]*FAILED/i);

      const header = page.getByRole('list', { name: 'Station status' });
      const headerText = await header.innerText();
      expect(headerText).toContain(station.mqttUrl);
      expect(headerText).toMatch(/[34] connected/);
      expect(headerText).toMatch(/\d+ devices? updating/);
      expect(headerText).toMatch(/Cloud\s+Not configured/i);

      await page.getByRole('radio', { name: /Failed/ }).check();
      await expect.poll(() => table.innerText(), PAGE_WAIT).not.toContain('UPDATED');
      expect(await table.innerText()).toContain('FAILED');
      await page
        .getByRole('button', { name: /Details of CIM-168-02-22-9\d CIM-168 1.0.1/ })
        .first()
        .click();
      await page.getByRole('complementary').getByText('Timeline').waitFor();
      await screenshot(page, `monitor-details-${scheme}`);
      expect(await accessibilityProblems(page)).toEqual([]);

      // Retry sends the package again: the update leaves FAILED.
      await page.getByRole('complementary').getByRole('button', { name: 'Retry update' }).click();
      await page
        .getByRole('status')
        .getByText(/CIM-168-02-22-9\d: CIM-168 1\.0\.1 sent again/)
        .waitFor();
      await expect
        .poll(
          () =>
            page
              .getByRole('radio', { name: /Failed/ })
              .locator('..')
              .innerText(),
          PAGE_WAIT,
        )
        .toMatch(/Failed\s*0/);
    });

    it('opens each dialog accessibly: Add package, Add device, Edit device, Import CSV', async () => {
      const { page, problems } = await openPageHere(browser, `${station.uiUrl}#/packages`, scheme);
      await page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor();
      await page.getByRole('button', { name: 'Add package' }).click();
      const addPackage = page.getByRole('dialog', { name: 'Add package' });
      await addPackage.waitFor();
      await screenshot(page, `dialog-add-package-${scheme}`);
      expect(await accessibilityProblems(page), 'Add package').toEqual([]);
      await page.keyboard.press('Escape');
      await addPackage.waitFor({ state: 'detached' });

      await page.getByRole('link', { name: 'Devices' }).click();
      await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
      await edit.waitFor();
      await screenshot(page, `dialog-edit-device-${scheme}`);
      expect(await accessibilityProblems(page), 'Edit device').toEqual([]);
      await page.keyboard.press('Escape');
      await edit.waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Add device' }).click();
      const addDevice = page.getByRole('dialog', { name: 'Add device' });
      expect(await accessibilityProblems(page), 'Add device').toEqual([]);
      await page.keyboard.press('Escape');
      await addDevice.waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Import CSV' }).click();
      const importDialog = page.getByRole('dialog', { name: 'Import devices from CSV' });
      await importDialog
        .getByLabel('Or paste the lines here')
        .fill('name,profile,label\nCIM-300-01,CIM-300,Roof\nCIM-300-02,CIM-300\n');
      await importDialog.getByText('2 devices to add').waitFor();
      await screenshot(page, `dialog-import-csv-${scheme}`);
      expect(await accessibilityProblems(page), 'Import CSV').toEqual([]);
      await page.keyboard.press('Escape');
      expect(problems).toEqual([]);
    });
  },
);
