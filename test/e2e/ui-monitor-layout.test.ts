import crypto from 'node:crypto';

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import type { Device, Job, Package } from '../../shared/api/entities';
import { uploadPackage } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { stationAuth } from '../support/station-client';
import { stationApi } from './support/api';
import { accessibilityProblems } from './support/axe';
import { launchBrowser, openPage, screenshot } from './support/browser';
import { addDevices, uploadSeedFirmware } from './support/fleet';
import { expectEndReadable } from './support/readable';
import { startStationProcess, type StationProcess } from './support/station-process';

const LONG_NAME = 'CIM-240-07-14-91-ROOFTOP-AHU-NORTH';
const LONG_PACKAGE = 'CIM-168-agent-bootloader 4.12.3-rc7';

const updatesTable = (page: Page) => page.getByRole('region', { name: /^Updates table/ });
// The text as read, whether cut in the middle or not (a cut name is two boxes on screen).
const deviceColumn = (page: Page) =>
  updatesTable(page).locator('tbody th[scope="row"]').allTextContents();
const stateColumn = (page: Page) =>
  updatesTable(page).locator('tbody tr td:nth-of-type(2) .state').allInnerTexts();

/** Rows of the updates table wholly inside the window. */
function rowsInView(page: Page): Promise<number> {
  return updatesTable(page)
    .locator('tbody tr[aria-rowindex]')
    .evaluateAll(
      (rows) =>
        rows.filter((row) => {
          const box = row.getBoundingClientRect();
          return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
        }).length,
    );
}

// The Monitor read top-down, as reported at 1366×768: with a job chosen its updates start near
// the top and show many rows; any column sorts; failed ones come first on request; the filter
// says the job row's words; a lone single-device update makes no empty Jobs table.
describe('the Monitor read top-down', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let firmware: Package;
  let agent: Package;
  let devices: Device[];
  let rollout: Job;

  beforeAll(async () => {
    station = await startStationProcess();
    api = stationApi(station);
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    firmware = await uploadSeedFirmware(station, profile.id, 130_000);
    devices = await addDevices(api, profile.id, [
      ...Array.from({ length: 16 }, (_, i) => `CIM-168-02-22-${i + 1}`),
      LONG_NAME,
    ]);
    // A long title and version, as a vendor's agent has: cut in the middle, never the end.
    agent = await uploadPackage(
      station.httpUrl,
      {
        title: 'CIM-168-agent-bootloader',
        version: '4.12.3-rc7',
        profileId: profile.id,
        type: 'FIRMWARE',
        fileName: 'agent.bin',
      },
      new Uint8Array(crypto.randomBytes(20_000)),
      stationAuth(station),
    );
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  it('shows a lone single-device update without an empty Jobs table', async () => {
    await api.call('assignments.assign', { deviceId: devices[16]!.id, packageId: agent.id });
    const { page, context, problems } = await openPage(browser, `${station.uiUrl}#/monitor`);
    await page.setViewportSize({ width: 1366, height: 768 });
    await updatesTable(page).getByText(LONG_NAME).waitFor();
    expect(await page.getByRole('region', { name: 'Jobs table' }).count()).toBe(0);
    expect(await page.getByText(/Show all \d+ jobs?/).count()).toBe(0);
    const jobs = page.getByRole('region', { name: 'Jobs' });
    expect(await jobs.innerText()).toContain('No rollout yet · 1 single-device assignment');
    await screenshot(page, 'monitor-single-assignment-light-1366');
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);

  it('makes a rollout with updated, failed, active and queued devices', async () => {
    // Two finished jobs above it in time, as on a site visit.
    for (const pair of [devices.slice(12, 14), devices.slice(14, 16)]) {
      const job = await api.call('jobs.create', {
        packageId: firmware.id,
        deviceIds: pair.map((d) => d.id),
        policy: { concurrency: 1 },
      });
      await api.call('jobs.cancel', { id: job.id });
    }
    const targets = devices.slice(0, 12);
    rollout = await api.call('jobs.create', {
      packageId: firmware.id,
      deviceIds: targets.map((d) => d.id),
      policy: { concurrency: 10, retries: 0 },
    });
    await runSimulation({
      url: station.mqttUrl,
      tokens: targets.slice(0, 3).map((d) => d.accessToken),
      packageTypes: ['FIRMWARE'],
      chunkSize: 65_536,
      timeoutMs: 30_000,
    });
    await runSimulation({
      url: station.mqttUrl,
      tokens: [targets[5]!.accessToken, targets[9]!.accessToken],
      packageTypes: ['FIRMWARE'],
      failVerify: true,
      timeoutMs: 30_000,
    });
    const counts = (await api.call('jobs.get', { id: rollout.id })).counts;
    expect(counts).toMatchObject({ total: 12, updated: 3, failed: 2 });
    expect(counts.active + counts.queued).toBe(7);
  }, 90_000);

  // Before: the table started at 683 px (1366) and 727 px (1024); later at 476 and 568, with two
  // lines of job buttons, a wrapped header and wrapped filters leaving two rows in view at 1024.
  for (const [scheme, width, maxTop, minRows] of [
    ['light', 1366, 440, 5],
    ['dark', 1024, 560, 3],
  ] as const) {
    it(`puts the chosen job's updates near the top, sortable, failed first (${scheme}, ${width}×768)`, async () => {
      const { page, context, problems } = await openPage(
        browser,
        `${station.uiUrl}#/monitor`,
        scheme,
      );
      await page.setViewportSize({ width, height: 768 });
      const jobsTable = page.getByRole('region', { name: 'Jobs table' });
      await page
        .getByRole('button', { name: 'Show the updates of job CIM-168 1.0.1 (12 devices)' })
        .click();
      const row = jobsTable.getByRole('row').nth(1);
      await page.getByText('Showing the updates of job CIM-168 1.0.1 (12 devices)').waitFor();
      await expect.poll(async () => (await deviceColumn(page)).length).toBe(12);

      // Top-down: the updates start high and show many rows.
      await page.mouse.move(0, 0);
      await screenshot(page, `monitor-job-selected-${scheme}-${width}`);
      const top = (await updatesTable(page).boundingBox())!.y;
      expect(top).toBeLessThanOrEqual(maxTop);
      expect(await rowsInView(page)).toBeGreaterThanOrEqual(minRows);
      // Compact: the header is one line with its bell, the job's actions are one line of
      // buttons, the filters one line, and nothing hides off to the right of the job.
      const statusStrip = page.getByRole('list', { name: 'Station status' });
      const headerTops = await statusStrip
        .getByRole('listitem')
        .evaluateAll((items) => items.map((i) => Math.round(i.getBoundingClientRect().top)));
      expect(new Set(headerTops).size, `header items at ${headerTops.join(', ')}`).toBe(1);
      const bell = (await page.getByRole('button', { name: /^Notifications/ }).boundingBox())!;
      const strip = (await statusStrip.boundingBox())!;
      expect(bell.y + bell.height).toBeLessThanOrEqual(strip.y + strip.height);
      const buttonTops = await row
        .locator('td.row-actions button:visible')
        .evaluateAll((buttons) => buttons.map((b) => Math.round(b.getBoundingClientRect().top)));
      expect(buttonTops.length).toBe(4);
      expect(new Set(buttonTops).size, `job buttons at ${buttonTops.join(', ')}`).toBe(1);
      const filterBoxes = await Promise.all(
        [
          page.getByRole('group', { name: 'Show updates' }),
          page.getByLabel('Search updates'),
          page.getByLabel('Failed first'),
        ].map(async (control) => (await control.boundingBox())!),
      );
      const bottoms = filterBoxes.map((b) => b.y + b.height);
      expect(Math.max(...bottoms) - Math.min(...bottoms), 'filters on one line').toBeLessThan(24);
      expect(await page.getByText('More columns to the right').count()).toBe(0);
      const jobsBox = (await jobsTable.boundingBox())!;
      for (const button of await row.locator('td.row-actions button:visible').all()) {
        const box = (await button.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(jobsBox.x + jobsBox.width);
      }

      // The filter says the job row's words, with the job row's figures.
      const jobRowText = await row.innerText();
      for (const word of ['updated', 'active', 'failed']) {
        const figure = new RegExp(`(\\d+)(?:/\\d+)? ${word}`).exec(jobRowText)?.[1];
        expect(figure, `job row says "N ${word}"`).toBeDefined();
        const label = word[0]!.toUpperCase() + word.slice(1);
        const segment = page.locator('.segment').filter({ hasText: label });
        expect((await segment.innerText()).replace(/\s+/g, ' ').trim()).toBe(`${label} ${figure}`);
      }

      // Any column sorts: Device up, then down (natural order: 2 before 10).
      const header = (name: string) =>
        updatesTable(page).getByRole('columnheader', { name: new RegExp(`^${name}`) });
      await header('Device').getByRole('button').click();
      expect(await header('Device').getAttribute('aria-sort')).toBe('ascending');
      const ascending = await deviceColumn(page);
      expect(ascending.slice(0, 3)).toEqual([
        'CIM-168-02-22-1',
        'CIM-168-02-22-2',
        'CIM-168-02-22-3',
      ]);
      await header('Device').getByRole('button').click();
      expect(await header('Device').getAttribute('aria-sort')).toBe('descending');
      expect(await deviceColumn(page)).toEqual([...ascending].reverse());
      await header('Bytes served').getByRole('button').click();
      expect(await header('Bytes served').getAttribute('aria-sort')).toBe('ascending');
      await header('State').getByRole('button').click();
      expect((await stateColumn(page)).slice(0, 2)).toEqual(['FAILED', 'FAILED']);

      // Failed first, whatever the order: device order with the failed ones leading.
      await header('Device').getByRole('button').click();
      await page.getByLabel('Failed first').check();
      const failedFirst = await deviceColumn(page);
      expect(failedFirst.slice(0, 2)).toEqual(['CIM-168-02-22-6', 'CIM-168-02-22-10']);
      expect(failedFirst.slice(2, 5)).toEqual([
        'CIM-168-02-22-1',
        'CIM-168-02-22-2',
        'CIM-168-02-22-3',
      ]);
      expect((await stateColumn(page)).slice(0, 3)).toEqual(['FAILED', 'FAILED', 'UPDATED']);
      await page.mouse.move(0, 0);
      await screenshot(page, `monitor-failed-first-${scheme}-${width}`);
      expect(await accessibilityProblems(page), `Monitor, job chosen, ${scheme}`).toEqual([]);

      // Back to every job: the Jobs table lists them all again.
      await page.getByRole('button', { name: 'Updates of all jobs' }).click();
      await expect.poll(() => jobsTable.getByRole('row').count()).toBe(1 + 3);

      // A long name and version are cut in the middle: their ends stay on screen.
      await page.getByLabel('Failed first').uncheck();
      await page.getByLabel('Search updates').fill('ROOFTOP');
      const lone = updatesTable(page).getByRole('row').filter({ hasText: LONG_NAME });
      await expect
        .poll(() => updatesTable(page).locator('tbody tr[aria-rowindex]').count())
        .toBe(1);
      await expectEndReadable(lone.locator('.middle-text').nth(0), LONG_NAME, `name at ${width}`);
      await expectEndReadable(
        lone.locator('.middle-text').nth(1),
        LONG_PACKAGE,
        `version at ${width}`,
      );
      await screenshot(page, `monitor-long-name-${scheme}-${width}`);
      expect(problems).toEqual([]);
      await context.close();
    }, 45_000);
  }
});
