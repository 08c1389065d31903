import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { accessibilityProblems } from './support/axe';
import { launchBrowser, openPage, screenshot } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

// A station that freezes keeps its WebSocket open, so the socket alone still says "open". The
// real station process is stopped (SIGSTOP) for 12 s, as a blocked event loop would be, and
// continued: the header must say it is not responding, for how long, and then that it is back.
describe.skipIf(process.platform === 'win32')('the header when the station freezes', () => {
  let station: StationProcess;
  let browser: Browser;

  beforeAll(async () => {
    station = await startStationProcess();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    // Never leave a stopped process behind, whatever failed.
    try {
      process.kill(station.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    await browser?.close();
    await station?.stop();
  });

  const liveItem = (page: Page) =>
    page
      .getByRole('list', { name: 'Station status' })
      .getByRole('listitem')
      .filter({ hasText: 'Live updates' });

  for (const [scheme, size] of [
    ['light', { width: 1366, height: 768 }],
    ['dark', { width: 1024, height: 768 }],
  ] as const) {
    it(`says "Station not responding (N s)" while frozen, then recovers (${scheme}, ${size.width})`, async () => {
      const { page, context, problems } = await openPage(
        browser,
        `${station.uiUrl}#/devices`,
        scheme,
      );
      await page.setViewportSize(size);
      await liveItem(page).getByText('Connected').waitFor();

      process.kill(station.pid, 'SIGSTOP');
      try {
        await liveItem(page)
          .getByText(/Station not responding \(\d+ s\)/)
          .waitFor({ timeout: 10_000 });
        expect(await liveItem(page).innerText()).not.toContain('Connected');
        const banner = page.getByRole('status').filter({ hasText: 'has not responded since' });
        await banner.waitFor();
        expect(await banner.isVisible()).toBe(true);
        // The figure counts on while the station stays silent.
        const seconds = async () =>
          Number(/\((\d+) s\)/.exec(await liveItem(page).innerText())?.[1] ?? -1);
        const first = await seconds();
        await expect.poll(seconds, { timeout: 5_000 }).toBeGreaterThanOrEqual(first + 2);
        expect(await liveItem(page).isVisible()).toBe(true);
        await screenshot(page, `header-station-not-responding-${scheme}-${size.width}`);
        expect(await accessibilityProblems(page), `silent station, ${scheme}`).toEqual([]);
        // Frozen 12 s in all, as in the report.
        await page.waitForTimeout(12_000 - 5_000 - 2_000);
        expect(await seconds()).toBeGreaterThanOrEqual(10);
      } finally {
        process.kill(station.pid, 'SIGCONT');
      }

      await liveItem(page).getByText('Connected').waitFor({ timeout: 10_000 });
      await page
        .getByText(/The station responds again \(silent for \d+ s\)/)
        .first()
        .waitFor();
      expect(await page.getByText('has not responded since').count()).toBe(0);
      await screenshot(page, `header-station-recovered-${scheme}-${size.width}`);
      expect(problems).toEqual([]);
      await context.close();
    }, 60_000);
  }
});
