import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import type { Device, Job, Package } from '../../shared/api/entities';
import type { ApiClient } from '../../shared/api/operations';
import { accessibilityProblems } from './support/axe';
import { openPage, screenshot, type WatchedPage } from './support/browser';
import { controlsUnder, coveredControls, layoutOf } from './support/covered';
import { fleetNames, fleetScene } from './support/fleet';
import type { StationProcess } from './support/station-process';

// Toasts on the Monitor, as reported: they covered "Start job" and the Details buttons, and one
// Cancel produced 3–4 toasts, some the same; later they sat in the page's flow and pushed it
// down. Now notes on one job share one toast, nothing is said twice, a toast lies over the
// page's (or dialog's) title, never over a control, and moves nothing; the header's bell keeps
// them to read later.
describe('toasts and the notification history', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let firmware: Package;
  let devices: Device[];

  const fleet = fleetScene(100_000, fleetNames(12));
  beforeAll(() => {
    ({ station, api, browser, firmware, devices } = fleet());
  });

  const cases = [
    { scheme: 'light', width: 1366, targets: [0, 1, 2, 3, 4, 5] },
    { scheme: 'dark', width: 1024, targets: [6, 7, 8, 9, 10, 11] },
  ] as const;

  for (const { scheme, width, targets } of cases) {
    it(`one toast per job, never over a control, kept in the bell (${scheme}, ${width}×768)`, async () => {
      const watched: WatchedPage = await openPage(browser, `${station.uiUrl}#/monitor`, scheme);
      const { page } = watched;
      await page.setViewportSize({ width, height: 768 });
      const job: Job = await api.call('jobs.create', {
        packageId: firmware.id,
        deviceIds: targets.map((i) => devices[i]!.id),
        policy: { concurrency: 1 },
      });
      const jobs = page.getByRole('region', { name: 'Jobs table' });
      // Open jobs come first: this one is the first row (the other case's job is canceled).
      const row = jobs.getByRole('row').nth(1);
      await expect.poll(() => row.innerText()).toContain('RUNNING');

      await row.getByRole('button', { name: /^Pause job/ }).click();
      await expect.poll(() => row.innerText()).toContain('PAUSED');
      await row.getByRole('button', { name: /^Resume job/ }).click();
      await expect.poll(() => row.innerText()).toContain('RUNNING');
      // Paused, then resumed: one job, one toast, the newest line first.
      const toasts = page.locator('.toast');
      await toasts.getByText('Job CIM-168 1.0.1 resumed').waitFor();
      expect(await toasts.count()).toBe(1);
      expect(await toastLines(page)).toEqual([
        ['Job CIM-168 1.0.1 resumed', 'Job CIM-168 1.0.1 paused'],
      ]);
      expect(await coveredControls(page, '.toast')).toEqual([]);
      expect(await controlsUnder(page, '.toast')).toEqual([]);

      // The New job dialog opened while the toast is up: its Start button stays clear.
      await page.getByRole('button', { name: 'New job' }).click();
      const dialog = page.getByRole('dialog', { name: 'New job' });
      await dialog.waitFor();
      await dialog.locator('.toast').getByText('Job CIM-168 1.0.1 resumed').waitFor();
      const start = dialog.getByRole('button', { name: /^Start job/ });
      expect(await start.isVisible()).toBe(true);
      const dialogWithToast = await layoutOf(page, 'dialog[open]');
      expect(await dialog.locator('.toast').count()).toBe(1);
      expect(await coveredControls(page, '.toast')).toEqual([]);
      expect(await controlsUnder(page, '.toast')).toEqual([]);
      await page.mouse.move(0, 0);
      await screenshot(page, `toast-in-new-job-dialog-${scheme}-${width}`);
      expect(await accessibilityProblems(page), `New job dialog with a toast, ${scheme}`).toEqual(
        [],
      );
      // Gone (dismissed, or by itself after 6 s), the toast leaves the dialog's fields and
      // buttons where they were.
      await dismissToast(page);
      expect(await layoutOf(page, 'dialog[open]')).toEqual(dialogWithToast);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // One Cancel: the dialog's own note, the job's end and its devices' ends are one toast.
      await row.getByRole('button', { name: /^Cancel job/ }).click();
      const cancel = page.getByRole('dialog', { name: 'Cancel job CIM-168 1.0.1?' });
      await cancel.getByText('6 devices will be un-assigned').waitFor();
      await cancel.getByRole('button', { name: 'Cancel job' }).click();
      await cancel.waitFor({ state: 'detached' });
      await expect
        .poll(async () => (await api.call('jobs.get', { id: job.id })).status)
        .toBe('CANCELED');
      await toasts.getByText('Job CIM-168 1.0.1 canceled', { exact: true }).waitFor();
      // Everything the station pushes about the cancel arrives within a few seconds.
      await page.waitForTimeout(3_000);
      const lines = await toastLines(page);
      expect(lines).toHaveLength(1);
      const [only] = lines as [string[]];
      expect(new Set(only).size).toBe(only.length);
      expect(only.some((l) => l.startsWith('Job CIM-168 1.0.1 canceled'))).toBe(true);
      expect(await coveredControls(page, '.toast')).toEqual([]);
      expect(await controlsUnder(page, '.toast')).toEqual([]);
      // The toast lies over the page's title, above the jobs, clear of New job.
      const toastBox = (await toasts.first().boundingBox())!;
      const jobsBox = (await page.getByRole('heading', { name: 'Jobs' }).boundingBox())!;
      expect(toastBox.y + toastBox.height).toBeLessThanOrEqual(jobsBox.y);
      const pageWithToast = await layoutOf(page);
      await page.mouse.move(0, 0);
      await screenshot(page, `toast-after-cancel-${scheme}-${width}`);
      expect(await accessibilityProblems(page), `Monitor with a toast, ${scheme}`).toEqual([]);

      // Dismissed (or gone by itself after 6 s), the notes are still in the bell, newest first.
      await dismissToast(page);
      // Gone, the toast leaves everything where it was.
      expect(await layoutOf(page)).toEqual(pageWithToast);
      const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
      await bell.click();
      const panel = page.getByRole('region', { name: 'Notifications' });
      await panel.waitFor();
      const entries = await panel.getByRole('listitem').allInnerTexts();
      const texts = entries.map((e) => e.replace(/^\s*\d\d:\d\d:\d\d\s*/, '').trim());
      const index = (start: string) => texts.findIndex((t) => t.startsWith(start));
      expect(index('Job CIM-168 1.0.1 canceled')).toBeGreaterThanOrEqual(0);
      expect(index('Job CIM-168 1.0.1 canceled')).toBeLessThan(index('Job CIM-168 1.0.1 resumed'));
      expect(index('Job CIM-168 1.0.1 resumed')).toBeLessThan(index('Job CIM-168 1.0.1 paused'));
      // Said once each: no two identical lines.
      expect(new Set(texts).size).toBe(texts.length);
      expect(await page.getByRole('button', { name: 'Notifications' }).isVisible()).toBe(true);
      await screenshot(page, `notification-history-${scheme}-${width}`);
      expect(await accessibilityProblems(page), `notification history, ${scheme}`).toEqual([]);
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      expect(
        await page
          .getByRole('button', { name: 'Notifications' })
          .evaluate((el) => el === document.activeElement),
      ).toBe(true);
      expect(watched.problems).toEqual([]);
      await watched.context.close();
    }, 60_000);
  }
});

/** The lines of every toast on screen, each toast's newest first. */
function toastLines(page: Page): Promise<string[][]> {
  return page
    .locator('.toast')
    .evaluateAll((toasts) =>
      toasts.map((toast) =>
        [...toast.querySelectorAll('.toast-text > span')].map((s) => s.textContent ?? ''),
      ),
    );
}

/** Dismisses the toast on screen if it has not gone by itself yet, and waits until it has. */
async function dismissToast(page: Page): Promise<void> {
  const toasts = page.locator('.toast');
  if ((await toasts.count()) > 0)
    await toasts
      .getByRole('button', { name: 'Dismiss' })
      .click({ timeout: 2_000 })
      .catch(() => undefined);
  await toasts.first().waitFor({ state: 'detached' });
}
