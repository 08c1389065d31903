import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import type { Device, Package } from '../../shared/api/entities';
import type { ApiClient } from '../../shared/api/operations';
import { accessibilityProblems } from './support/axe';
import { openPage, screenshot, type WatchedPage } from './support/browser';
import { fleetNames, fleetScene } from './support/fleet';
import { downloadReport } from './support/reports';
import type { StationProcess } from './support/station-process';

// Jobs on the Monitor: a rollout made from the New job dialog and followed live to COMPLETED
// with its report; pause, resume and cancel from the job's row; an auto-paused job's reason.
describe('jobs on the Monitor page', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let firmware: Package;
  let devices: Device[];

  const fleet = fleetScene(200_000, fleetNames(8));

  beforeAll(async () => {
    ({ station, api, browser, firmware, devices } = fleet());
    watched = await openPage(browser, `${station.uiUrl}#/monitor`);
    page = watched.page;
    await page.getByRole('heading', { level: 1, name: 'Monitor' }).waitFor();
  }, 60_000);

  const jobsTable = () => page.getByRole('region', { name: 'Jobs table' });
  const jobRow = (text: RegExp) => jobsTable().getByRole('row').filter({ hasText: text });

  it('creates a job for 3 chosen devices at concurrency 1, follows it to COMPLETED 3/3 and downloads its CSV report', async () => {
    const [d0, d1, d2] = devices as [Device, Device, Device];
    await page.getByRole('button', { name: 'New job' }).click();
    const dialog = page.getByRole('dialog', { name: 'New job' });
    await dialog.waitFor();
    // The defaults a site starts from.
    expect(await dialog.getByLabel('Devices downloading at once').inputValue()).toBe('10');
    expect(await dialog.getByLabel('Time-out without progress (s)').inputValue()).toBe('600');
    expect(await dialog.getByLabel('Retries').inputValue()).toBe('1');
    expect(await dialog.getByLabel('Pause after failed devices (count)').inputValue()).toBe('');
    expect(await dialog.getByLabel('Start at (optional)').inputValue()).toBe('');
    expect(await dialog.getByLabel('Package').inputValue()).toBe(firmware.id);
    const confirmation = dialog.getByRole('status').filter({ hasText: 'will be updated' });
    expect(await confirmation.innerText()).toContain('8 devices will be updated to CIM-168 1.0.1');

    await dialog.getByLabel('Devices I choose').check();
    await dialog.getByLabel('Search devices to update').fill('02-22-0');
    for (const device of [d0, d1, d2]) await dialog.getByLabel(device.name).check();
    await dialog.getByLabel('Devices downloading at once').fill('1');
    await dialog.getByLabel('Retries').fill('25');
    await dialog.getByRole('button', { name: 'Start job for 3 devices' }).click();
    // Refused at the field, in words, before anything reaches the station.
    await dialog.getByText('Retries: must be from 0 to 20').waitFor();
    await dialog.getByLabel('Retries').fill('1');
    expect(await confirmation.innerText()).toMatch(
      /3 devices will be updated to CIM-168 1\.0\.1[\s\S]*1 at once/,
    );
    await page.mouse.move(0, 0);
    await screenshot(page, 'new-job-dialog-light');
    expect(await accessibilityProblems(page), 'New job dialog').toEqual([]);
    await dialog.getByRole('button', { name: 'Start job for 3 devices' }).click();
    await dialog.waitFor({ state: 'detached' });

    const jobs = await api.call('jobs.list', {});
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job).toMatchObject({
      packageId: firmware.id,
      policy: { concurrency: 1, timeoutSec: 600, retries: 1, haltAfterFailures: null },
      counts: { total: 3 },
      target: { kind: 'DEVICES' },
    });
    expect([...job.target.deviceIds].sort()).toEqual([d0.id, d1.id, d2.id].sort());

    // The new job is chosen: the updates below are its own.
    const row = jobRow(/CIM-168 1\.0\.1/);
    await page.getByText('Showing the updates of job CIM-168 1.0.1 (3 devices)').waitFor();
    expect(await row.innerText()).toMatch(/RUNNING|SCHEDULED/);

    const summary = await runSimulation({
      url: station.mqttUrl,
      tokens: [d0.accessToken, d1.accessToken, d2.accessToken],
      packageTypes: ['FIRMWARE'],
      chunkSize: 65_536,
      timeoutMs: 60_000,
    });
    expect(summary.totals.updated).toBe(3);
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).toContain('COMPLETED');
    const text = await row.innerText();
    expect(text).toContain('3/3 updated');
    expect(text).toContain('0 failed');
    expect(text).toContain('100 %');
    // Said once for the whole job (toast and live region), besides the per-device notes.
    await page.locator('.toast').getByText('Job CIM-168 1.0.1 completed: 3 of 3 updated').waitFor();
    await screenshot(page, 'monitor-jobs-light');
    expect(await accessibilityProblems(page), 'Monitor with jobs').toEqual([]);

    const { fileName, text: csv } = await downloadReport(page, row, 'CSV');
    expect(fileName).toMatch(/\.csv$/);
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'device,start,end,durationSec,bytes,attempts,result,firstError,firstErrorBy,lastError,lastErrorBy,transport',
    );
    expect(lines).toHaveLength(4);
    for (const device of [d0, d1, d2]) {
      const line = lines.find((l) => l.startsWith(`${device.name},`));
      expect(line, device.name).toMatch(/,200000,1,UPDATED,,,,,mqtt$/);
    }

    const report = JSON.parse((await downloadReport(page, row, 'JSON')).text) as {
      job: { id: string; status: string };
      devices: { device: string; result: string }[];
    };
    expect(report.job).toMatchObject({ id: job.id, status: 'COMPLETED' });
    expect(report.devices.map((d) => d.result)).toEqual(['UPDATED', 'UPDATED', 'UPDATED']);
    expect(watched.problems).toEqual([]);
  }, 90_000);

  it('pauses, resumes and cancels a job from its row; cancel says how many devices lose the assignment', async () => {
    const targets = devices.slice(3, 6);
    const job = await api.call('jobs.create', {
      packageId: firmware.id,
      deviceIds: targets.map((d) => d.id),
      policy: { concurrency: 1 },
    });
    // The job made above is still chosen, shown alone: back to every job.
    await page.getByRole('button', { name: 'Updates of all jobs' }).click();
    // Nobody connects: the devices wait, one told (INITIATED), two QUEUED. Open jobs come first
    // and the other job is finished, so this one is the first row (and stays so once canceled).
    const row = jobsTable().getByRole('row').nth(1);
    await expect.poll(() => row.innerText()).toMatch(/RUNNING[\s\S]*0\/3 updated/);
    await row.getByRole('button', { name: /^Pause job/ }).click();
    await expect.poll(() => row.innerText()).toMatch(/PAUSED[\s\S]*Paused by the technician/);
    expect((await api.call('jobs.get', { id: job.id })).status).toBe('PAUSED');

    await row.getByRole('button', { name: /^Resume job/ }).click();
    await expect.poll(() => row.innerText()).toContain('RUNNING');

    await row.getByRole('button', { name: /^Cancel job/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel job CIM-168 1.0.1?' });
    await dialog.getByText('3 devices will be un-assigned').waitFor();
    // The "resumed" toast is still up: it sits above the dialog's backdrop, inside the dialog
    // (the rest of the page is inert), where it can be read and dismissed.
    const toast = dialog.locator('.toast').filter({ hasText: 'Job CIM-168 1.0.1 resumed' });
    const box = (await toast.boundingBox())!;
    const onTop = await page.evaluate(
      ({ x, y }) => document.elementFromPoint(x, y)?.closest('.toast')?.textContent ?? null,
      { x: box.x + box.width / 2, y: box.y + box.height / 2 },
    );
    expect(onTop).toContain('Job CIM-168 1.0.1 resumed');
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await toast.waitFor({ state: 'detached' });
    await screenshot(page, 'cancel-job-dialog-light');
    expect(await accessibilityProblems(page), 'Cancel job dialog').toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel job' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The toast shows above everything once the dialog is gone.
    await page
      .getByRole('status')
      .getByText('Job CIM-168 1.0.1 canceled', { exact: true })
      .waitFor();
    await expect.poll(() => row.innerText()).toContain('CANCELED');
    expect(
      await row.getByRole('button', { name: /^Pause job|^Resume job|^Cancel job/ }).count(),
    ).toBe(0);

    const after = await api.call('devices.list', {});
    for (const target of targets)
      expect(after.find((d) => d.id === target.id)?.firmware.assignedPackageId).toBeNull();
    expect((await api.call('jobs.get', { id: job.id })).counts.canceled).toBe(3);
  }, 60_000);

  it('shows why a job paused itself: the failure count against its limit', async () => {
    const targets = devices.slice(6, 8);
    await api.call('jobs.create', {
      packageId: firmware.id,
      deviceIds: targets.map((d) => d.id),
      policy: { concurrency: 1, retries: 0, haltAfterFailures: 1 },
    });
    const stop = new AbortController();
    // Both would fail verification; the job halts after the first and the second never starts.
    const simulation = runSimulation({
      url: station.mqttUrl,
      tokens: targets.map((d) => d.accessToken),
      packageTypes: ['FIRMWARE'],
      failVerify: true,
      timeoutMs: 60_000,
      signal: stop.signal,
    });
    try {
      const row = jobRow(/Auto-paused/);
      await row.waitFor({ timeout: 30_000 });
      const text = await row.innerText();
      expect(text).toContain('PAUSED');
      expect(text).toContain('Auto-paused: 1 of 2 devices failed (limit 1)');
      expect(text).toContain('1 failed');
      await page
        .locator('.toast')
        .getByText('Job CIM-168 1.0.1 paused itself: Auto-paused: 1 of 2 devices failed (limit 1)')
        .waitFor();
      await page.mouse.move(0, 0);
      await screenshot(page, 'monitor-job-auto-paused-light');
    } finally {
      stop.abort();
      await simulation.catch(() => undefined);
    }
  }, 60_000);

  it('offers the devices shown on the Devices page as the target', async () => {
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    await page.getByLabel('Search devices').fill('02-22-07');
    await page.getByRole('link', { name: 'Monitor', exact: true }).click();
    await page.getByRole('button', { name: 'New job' }).click();
    const dialog = page.getByRole('dialog', { name: 'New job' });
    // The filter is offered as a target, never chosen silently; the package that just failed
    // (the auto-paused job's) is not preset either.
    expect(await dialog.getByLabel('Package').inputValue()).toBe('');
    await dialog.getByLabel('Package').selectOption(firmware.id);
    const shown = dialog.getByLabel(/The devices shown on the Devices page/);
    expect(await shown.isChecked()).toBe(false);
    expect(await dialog.getByLabel(/Every device of profile CIM-168/).isChecked()).toBe(true);
    await shown.check();
    expect(
      await dialog.getByRole('status').filter({ hasText: 'will be updated' }).innerText(),
    ).toContain('1 device will be updated to CIM-168 1.0.1');
    await dialog.getByLabel(/Every device of profile CIM-168/).check();
    expect(
      await dialog.getByRole('status').filter({ hasText: 'will be updated' }).innerText(),
    ).toContain('8 devices will be updated');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The filter stays on the Devices page until cleared there.
    await page.getByRole('link', { name: 'Devices', exact: true }).click();
    expect(await page.getByLabel('Search devices').inputValue()).toBe('02-22-07');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
  }, 30_000);

  it('shows the jobs and the New job dialog accessibly in the dark theme', async () => {
    const dark = await openPage(browser, `${station.uiUrl}#/monitor`, 'dark');
    await jobsTable().count(); // (light page stays open)
    const darkJobs = dark.page.getByRole('region', { name: 'Jobs table' });
    await darkJobs.getByText('COMPLETED').waitFor();
    await dark.page.mouse.move(0, 0);
    await screenshot(dark.page, 'monitor-jobs-dark');
    expect(await accessibilityProblems(dark.page), 'Monitor with jobs, dark').toEqual([]);
    await dark.page.getByRole('button', { name: 'New job' }).click();
    const dialog = dark.page.getByRole('dialog', { name: 'New job' });
    // The package of the auto-paused job just failed: it is chosen, not preset.
    await dialog.getByLabel('Package').selectOption(firmware.id);
    await dialog.getByLabel('Devices I choose').check();
    await screenshot(dark.page, 'new-job-dialog-dark');
    expect(await accessibilityProblems(dark.page), 'New job dialog, dark').toEqual([]);
    await dark.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(dark.problems).toEqual([]);
    await dark.context.close();
    // Two axe runs on a loaded machine take most of half a minute.
  }, 60_000);
});
