import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ApiClient } from '../../shared/api/operations';
import { stationApi } from './support/api';
import { accessibilityProblems } from './support/axe';
import { launchBrowser, openPage, screenshot } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

/** Drops a file named `name` of `size` bytes on `target`, as a file dragged from the desktop. */
async function dropFile(page: Page, target: Locator, name: string, size: number): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, size }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(size).fill(7)], name));
      return transfer;
    },
    { name, size },
  );
  for (const type of ['dragenter', 'dragover', 'drop'])
    await target.dispatchEvent(type, { dataTransfer });
}

/** The message under a field, or null when it has none (aria-invalid and the linked text). */
async function fieldMessage(dialog: Locator, label: string): Promise<string | null> {
  const control = dialog.getByLabel(label, { exact: true });
  if ((await control.getAttribute('aria-invalid')) !== 'true') return null;
  const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ');
  const errorId = ids.find((id) => id.endsWith('-error'));
  return errorId ? dialog.page().locator(`[id="${errorId}"]`).innerText() : null;
}

// Add package as reported: messages stayed after the field was fixed, a file dropped on the page
// did nothing, the file control said "No file chosen" for a dropped file, and the first device
// profile was silently preset.
describe('the Add package dialog', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;

  beforeAll(async () => {
    station = await startStationProcess();
    api = stationApi(station);
    await api.call('profiles.add', { name: 'CIM-168' });
    await api.call('profiles.add', { name: 'CIM-200' });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  for (const [scheme, width, version] of [
    ['light', 1366, '2.3.0'],
    ['dark', 1024, '2.3.1'],
  ] as const) {
    it(`opens with a file dropped on the page, asks for the profile, clears fixed messages (${scheme}, ${width}×768)`, async () => {
      const { page, context, problems } = await openPage(
        browser,
        `${station.uiUrl}#/packages`,
        scheme,
      );
      await page.setViewportSize({ width, height: 768 });
      await page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor();
      const fileName = `cim200-app-${version}.bin`;
      // Dropped on the page's description, far from any file control.
      await dropFile(page, page.locator('.page-description'), fileName, 450_000);

      const dialog = page.getByRole('dialog', { name: 'Add package' });
      await dialog.waitFor();
      const fileInput = dialog.getByLabel('Binary file');
      expect(await fileInput.evaluate((el: HTMLInputElement) => el.files?.[0]?.name)).toBe(
        fileName,
      );
      await dialog.getByText(`${fileName} · 450 kB`).waitFor();
      // Nothing chosen for the technician: the profile reads "Choose…".
      const profile = dialog.getByLabel('Device profile', { exact: true });
      expect(await profile.locator('option:checked').innerText()).toBe('Choose a device profile…');

      await dialog.getByLabel('Expected checksum').fill('12ab');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      expect(await fieldMessage(dialog, 'Title')).toMatch(/Title/);
      expect(await fieldMessage(dialog, 'Version')).toMatch(/Version/);
      expect(await fieldMessage(dialog, 'Device profile')).toBe(
        'Choose a device profile, or create a new one',
      );
      expect(await fieldMessage(dialog, 'Expected checksum (optional)')).toBe(
        'A SHA256 checksum is 64 hexadecimal digits (0-9, a-f)',
      );
      await page.mouse.move(0, 0);
      await screenshot(page, `add-package-messages-${scheme}-${width}`);
      expect(await accessibilityProblems(page), `Add package with messages, ${scheme}`).toEqual([]);

      // Each message goes as its field is put right, without pressing Add again.
      await dialog.getByLabel('Title').fill('CIM-200-app');
      expect(await fieldMessage(dialog, 'Title')).toBeNull();
      expect(await fieldMessage(dialog, 'Version')).toMatch(/Version/);
      await dialog.getByLabel('Version').fill(version);
      expect(await fieldMessage(dialog, 'Version')).toBeNull();
      await profile.selectOption({ label: 'CIM-200' });
      expect(await fieldMessage(dialog, 'Device profile')).toBeNull();
      // Half-fixed is still wrong: the message stays until the checksum is whole, then goes.
      await dialog.getByLabel('Expected checksum').fill('12ab34');
      expect(await fieldMessage(dialog, 'Expected checksum (optional)')).toMatch(/64 hexadecimal/);
      await dialog.getByLabel('Expected checksum').fill('');
      expect(await fieldMessage(dialog, 'Expected checksum (optional)')).toBeNull();
      expect(await dialog.locator('[aria-invalid="true"]').count()).toBe(0);
      await screenshot(page, `add-package-fixed-${scheme}-${width}`);

      // Another file dropped on the page while the dialog is open replaces the first.
      const second = `cim200-app-${version}-rc.bin`;
      await dropFile(page, dialog.locator('.dialog-header'), second, 300_000);
      await dialog.getByText(`${second} · 300 kB`).waitFor();
      expect(await fileInput.evaluate((el: HTMLInputElement) => el.files?.[0]?.name)).toBe(second);

      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.waitFor({ state: 'detached', timeout: 15_000 });
      const added = (await api.call('packages.list', {})).find((p) => p.version === version);
      expect(added).toMatchObject({
        title: 'CIM-200-app',
        profileName: 'CIM-200',
        size: 300_000,
        fileName: second,
      });
      const row = page.getByRole('row').filter({ hasText: version });
      await row.waitFor();
      expect(await row.innerText()).toContain('CIM-200');
      expect(problems).toEqual([]);
      await context.close();
    }, 60_000);
  }
});
