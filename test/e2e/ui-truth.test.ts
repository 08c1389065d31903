import crypto from 'node:crypto';

import mqtt from 'mqtt';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import type { Device, Package } from '../../shared/api/entities';
import { uploadPackage } from '../../shared/api/http-client';
import type { ApiClient } from '../../shared/api/operations';
import { stationAuth } from '../support/station-client';
import { stationApi } from './support/api';
import { accessibilityProblems } from './support/axe';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './support/browser';
import { expectEndReadable } from './support/readable';
import { downloadReport } from './support/reports';
import { stallMidDownload } from './support/scene';
import { startStationProcess, type StationProcess } from './support/station-process';

const SIZE = 200_000;
const LONG_NAME = 'CIM-240-07-14-91-ROOFTOP-AHU-NORTH';
const LONG_VERSION = 'CIM-168-agent 4.12.3-rc7';

// Issue 9, points 1-5, 8 and 9: what the technician reads about failures, retries, job status
// and progress is the truth, nothing that must be read is cut, and devices can be acted on
// where they are shown, one or many at a time; at 1366×768 in the light theme, then again at
// 1024×768 in the dark one. Real station, real MQTT devices, real Chromium.
describe('the truth at a glance (issue 9)', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let f101: Package;
  let f102: Package;
  let d: Device[];

  beforeAll(async () => {
    station = await startStationProcess();
    api = stationApi(station);
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    const upload = (version: string) =>
      uploadPackage(
        station.httpUrl,
        {
          title: 'CIM-168',
          version,
          profileId: profile.id,
          type: 'FIRMWARE',
          fileName: `cim168-${version}.bin`,
        },
        new Uint8Array(crypto.randomBytes(SIZE)),
        stationAuth(station),
      );
    // 1.0.2 first: 1.0.1 is the newest, the one a New job would offer by default.
    f102 = await upload('1.0.2');
    f101 = await upload('1.0.1');
    d = [];
    for (let i = 0; i < 38; i++)
      d.push(
        await api.call('devices.add', {
          name: `CIM-168-02-22-${String(i).padStart(2, '0')}`,
          profileId: profile.id,
        }),
      );
    d.push(await api.call('devices.add', { name: LONG_NAME, profileId: profile.id }));
    d.push(await api.call('devices.add', { name: `${LONG_NAME}-SPARE`, profileId: profile.id }));
    browser = await launchBrowser();
    watched = await openPage(browser, `${station.uiUrl}#/monitor`);
    page = watched.page;
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByRole('heading', { level: 1, name: 'Monitor' }).waitFor();
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
  });

  const dev = (i: number) => d[i] as Device;
  const jobsTable = () => page.getByRole('region', { name: 'Jobs table' });
  const jobRow = (name: string) =>
    jobsTable()
      .getByRole('row')
      .filter({ has: page.getByRole('button', { name: `Show the updates of job ${name}` }) });
  /** A chosen job is shown alone in the Jobs table: back to every job before looking for one. */
  const allJobs = async () => {
    const back = page.getByRole('button', { name: 'Updates of all jobs' });
    if (await back.isVisible()) await back.click();
  };
  const fail = (devices: readonly Device[]) =>
    runSimulation({
      url: station.mqttUrl,
      tokens: devices.map((x) => x.accessToken),
      packageTypes: ['FIRMWARE'],
      failVerify: true,
      chunkSize: 65_536,
      timeoutMs: 30_000,
    });
  const goto = async (link: string) => {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: link }).waitFor();
  };

  it('point 1 and 3: keeps the checksum error after a retry times out, says whose error each is, and never runs counts or progress backwards', async () => {
    const job = await api.call('jobs.create', {
      packageId: f101.id,
      deviceIds: [dev(0).id, dev(1).id],
      policy: { concurrency: 0, retries: 1, retryDelaySec: 1, timeoutSec: 3 },
    });
    const row = jobRow('CIM-168 1.0.1 (2 devices)');
    await row.waitFor();
    // What the row says, sampled while the devices fail, are retried and time out.
    const seen: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        seen.push(await row.innerText().catch(() => ''));
        await page.waitForTimeout(100);
      }
    })();
    const summary = await fail([dev(0), dev(1)]);
    expect(summary.totals.failed).toBe(2);
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).toContain('2 failed');
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).toMatch(/with failures/i);
    sampling = false;
    await sampler;

    const percents = seen
      .map((t) => /(\d+) % ·/.exec(t)?.[1])
      .filter(Boolean)
      .map(Number);
    const forGood = seen.map((t) => /(\d+) failed(?!, retrying)/.exec(t)?.[1]).filter(Boolean);
    expect(percents.length).toBeGreaterThan(5);
    for (let i = 1; i < percents.length; i++)
      expect(percents[i], `progress ${percents.join(' → ')}`).toBeGreaterThanOrEqual(
        percents[i - 1] as number,
      );
    for (let i = 1; i < forGood.length; i++)
      expect(Number(forGood[i]), `failed ${forGood.join(' → ')}`).toBeGreaterThanOrEqual(
        Number(forGood[i - 1]),
      );
    expect(
      seen.some((t) => /\d+ failed, retrying/.test(t)),
      seen.join('\n'),
    ).toBe(true);

    await row.getByRole('button', { name: /^Show the updates of job/ }).click();
    const updates = page.getByRole('region', { name: /^Updates table/ });
    const execRow = updates.getByRole('row').filter({ hasText: dev(0).name });
    // The row follows pushed events: wait for the second attempt's ending to reach it.
    await expect
      .poll(() => execRow.innerText(), { timeout: 20_000 })
      .toMatch(/1st of 2 · Device error \(fw_error\): Checksum does not match/);
    const rowText = await execRow.innerText();
    expect(rowText).toMatch(/Last · Station time-out: No progress for \d+ s in INITIATED at 0 %/);
    await execRow.getByRole('button', { name: /^Details of/ }).click();
    const panel = page.getByRole('complementary', { name: `Update of ${dev(0).name}` });
    const alert = await panel.getByRole('alert').innerText();
    expect(alert).toMatch(
      /First error \(attempt 1\) · Device error \(fw_error\):\s*Checksum does not match/,
    );
    expect(alert).toMatch(/Last error \(attempt 2\) · Station time-out:\s*No progress for/);
    // The station's time-out is never put in the device's mouth.
    expect(await panel.innerText()).not.toMatch(/Device error \(fw_error\):\s*No progress/);
    const attempts = panel.getByRole('region', { name: `Attempts of ${dev(0).name}` });
    const first = attempts.getByRole('listitem').nth(0);
    const second = attempts.getByRole('listitem').nth(1);
    expect(await first.innerText()).toMatch(
      /Attempt 1 of 2[\s\S]*FAILED[\s\S]*200 kB of 200 kB served[\s\S]*Device error \(fw_error\): Checksum does not match/,
    );
    expect(await second.innerText()).toMatch(
      /Attempt 2 of 2[\s\S]*TIMED_OUT[\s\S]*0 B of 200 kB served[\s\S]*Station time-out: No progress for/,
    );
    const failedStep = panel
      .locator('.timeline li')
      .filter({ has: page.locator('.badge', { hasText: /^FAILED$/ }) })
      .first();
    expect(await failedStep.innerText()).toContain('Checksum does not match');
    await page.mouse.move(0, 0);
    await screenshot(page, 'point1-attempts-and-errors-1366');
    expect(await accessibilityProblems(page), 'Monitor with attempts').toEqual([]);
    // The panel lies over the page's right side; closed, the job's report buttons are there.
    await panel.getByRole('button', { name: 'Close details' }).click();

    const lines = (await downloadReport(page, row, 'CSV')).text.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'device,start,end,durationSec,bytes,attempts,result,firstError,firstErrorBy,lastError,lastErrorBy,transport',
    );
    const line = lines.find((l) => l.startsWith(`${dev(0).name},`)) ?? '';
    expect(line).toMatch(
      /,2,TIMED_OUT,"?Checksum does not match[^\n]*,device \(fw_error\),No progress for \d+ s in INITIATED at 0 %,station,mqtt$/,
    );
    const report = JSON.parse((await downloadReport(page, row, 'JSON')).text) as {
      devices: { device: string; attemptLog: { error: string; errorBy: string }[] }[];
    };
    const entry = report.devices.find((x) => x.device === dev(0).name);
    expect(entry?.attemptLog.map((a) => a.errorBy)).toEqual(['device (fw_error)', 'station']);
    expect((await api.call('jobs.get', { id: job.id })).status).toBe('COMPLETED');
  }, 150_000);

  it('point 2: a finished job with failed devices reads "Completed with failures", not a green COMPLETED; a canceled job keeps its failed devices as failed', async () => {
    const row = jobRow('CIM-168 1.0.1 (2 devices)');
    const badge = row.locator('.badge').first();
    expect(await badge.innerText()).toBe('Completed with failures');
    expect(await row.innerText()).toMatch(/0\/2 updated[\s\S]*2 failed/);
    const completedGreen = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.className = 'badge state job-completed';
      document.body.append(probe);
      const color = getComputedStyle(probe).color;
      probe.remove();
      return color;
    });
    expect(await badge.evaluate((el) => getComputedStyle(el).color)).not.toBe(completedGreen);

    // A device fails, its retry is under way when the technician cancels the job.
    const job = await api.call('jobs.create', {
      packageId: f101.id,
      deviceIds: [dev(2).id, dev(12).id, dev(13).id],
      policy: { concurrency: 0, retries: 2, retryDelaySec: 1, timeoutSec: 600 },
    });
    await fail([dev(2)]);
    await allJobs();
    const canceled = jobRow('CIM-168 1.0.1 (3 devices)');
    // Point 3: failed and being retried, said apart from failed for good.
    await expect
      .poll(() => canceled.innerText(), { timeout: 15_000 })
      .toContain('0 failed · 1 failed, retrying');
    await page.mouse.move(0, 0);
    await screenshot(page, 'point3-failed-retrying-1366');
    await canceled.getByRole('button', { name: /^Cancel job/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel job CIM-168 1.0.1?' });
    await dialog.getByRole('button', { name: 'Cancel job' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => canceled.innerText()).toContain('CANCELED');
    const text = await canceled.innerText();
    expect(text).toContain('1 failed');
    expect(text).toContain('2 canceled');
    expect((await api.call('jobs.get', { id: job.id })).counts).toMatchObject({
      failed: 1,
      canceled: 2,
    });
    await page.mouse.move(0, 0);
    await screenshot(page, 'point2-completed-with-failures-1366');
    expect(await accessibilityProblems(page), 'Monitor with failed jobs').toEqual([]);
  }, 120_000);

  it('point 4: header, job and Devices row show one figure; a paused job is not "running"; the ETA waits out a silent device', async () => {
    await api.call('jobs.create', {
      packageId: f102.id,
      deviceIds: [dev(3).id, dev(4).id, dev(5).id],
      policy: { concurrency: 1, retries: 0, timeoutSec: 30 },
    });
    await allJobs();
    const row = jobRow('CIM-168 1.0.2 (3 devices)');
    await row.waitFor();
    // The first device downloads two 64 KiB chunks of 200 kB, then goes quiet.
    const stalled = await stallMidDownload(station.mqttUrl, dev(3).accessToken, 2);
    try {
      const header = page.getByRole('list', { name: 'Station status' });
      const headerJobs = header.getByRole('listitem').filter({ hasText: /^Updates/ });
      await expect.poll(() => row.innerText()).toContain('131 kB / 600 kB');
      const percent = /(\d+) % ·/.exec(await row.innerText())?.[1];
      expect(percent).toBe('21');
      await expect.poll(() => headerJobs.innerText()).toMatch(/3 devices updating[\s\S]*21 %/);
      // The silent device has up to 30 s left before its time-out: the ETA says so.
      await expect
        .poll(async () => etaSeconds(await row.innerText()), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(20);
      await page.mouse.move(0, 0);
      await screenshot(page, 'point4-header-and-job-agree-1366');

      await goto('Devices');
      await page.getByLabel('Search devices').fill(dev(3).name);
      const deviceRow = page
        .getByRole('region', { name: /^Devices table/ })
        .getByRole('row')
        .filter({ hasText: dev(3).name });
      expect(await deviceRow.innerText()).toMatch(/DOWNLOADING[\s\S]*131 kB \/ 200 kB/);
      await page.getByRole('button', { name: 'Clear filters' }).first().click();
      await goto('Monitor');

      await row.getByRole('button', { name: /^Pause job/ }).click();
      await expect.poll(() => headerJobs.innerText()).toContain('1 job paused (3 devices waiting)');
      expect(await headerJobs.innerText()).not.toMatch(/running|updating/);
      expect(await row.innerText()).not.toContain('ETA');
      await screenshot(page, 'point4-paused-not-running-1366');
      expect(await accessibilityProblems(page), 'Monitor with a paused job').toEqual([]);
      await row.getByRole('button', { name: /^Cancel job/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel job CIM-168 1.0.2?' });
      await dialog.getByRole('button', { name: 'Cancel job' }).click();
      await dialog.waitFor({ state: 'detached' });
    } finally {
      await stalled.endAsync(true).catch(() => undefined);
    }
  }, 120_000);

  it('point 5: names and versions are cut in the middle, never at the end; the details overlay the table; rows fit or scroll visibly at 1024; compact rows show many more devices', async () => {
    // The long-named device reports a long firmware version.
    const client = await mqtt.connectAsync(station.mqttUrl, {
      username: dev(38).accessToken,
      reconnectPeriod: 0,
    });
    await client.publishAsync(
      'v1/devices/me/telemetry',
      JSON.stringify({ current_fw_title: 'CIM-168-agent', current_fw_version: '4.12.3-rc7' }),
      { qos: 1 },
    );
    // Point 8 reads this one in the device's page: a protocol error of its own.
    await client.publishAsync('v1/devices/me/telemetry', '{not json', { qos: 1 });
    await client.endAsync();

    await goto('Devices');
    const table = page.getByRole('region', { name: /^Devices table/ });
    await page.getByLabel('Search devices').fill('ROOFTOP');
    const longRow = table
      .getByRole('row')
      .filter({ hasText: `${LONG_NAME}-SPARE` })
      .first();
    await longRow.waitFor();
    const before = (await table.boundingBox())!;
    await table
      .getByRole('row')
      .filter({ hasText: LONG_VERSION })
      .getByRole('button', { name: `Details of ${LONG_NAME}` })
      .click();
    const drawer = page.getByRole('complementary', { name: `Device ${LONG_NAME}` });
    await drawer.waitFor();
    // The table keeps its width: the drawer lies over it.
    expect((await table.boundingBox())!.width).toBe(before.width);

    for (const width of [1366, 1024]) {
      await page.setViewportSize({ width, height: 768 });
      for (const text of [`${LONG_NAME}-SPARE`, LONG_NAME, LONG_VERSION]) {
        const cell = table.locator('.middle-text', { hasText: text }).first();
        await expectEndReadable(cell, text, `${text} at ${width}`);
      }
      await screenshot(page, `point5-devices-details-open-${width}`);
      await page.getByRole('button', { name: 'Close details' }).click();
      for (const action of [/^Update /, /^Edit /]) {
        const box = (await longRow.getByRole('button', { name: action }).boundingBox())!;
        expect(box.x + box.width, `row actions at ${width}`).toBeLessThanOrEqual(width);
      }
      await screenshot(page, `point5-devices-${width}`);
      await longRow.getByRole('button', { name: /^Details of/ }).click();
    }
    await page.getByRole('button', { name: 'Close details' }).click();

    await goto('Packages');
    for (const pkg of [f101, f102]) {
      for (const action of ['Verify', 'Delete']) {
        const button = page.getByRole('button', {
          name: new RegExp(`^${action} ${pkg.title} ${pkg.version}`),
        });
        const box = (await button.boundingBox())!;
        expect(box.x + box.width, `${action} at 1024`).toBeLessThanOrEqual(1024);
      }
    }
    await screenshot(page, 'point5-packages-1024');

    await page.setViewportSize({ width: 1366, height: 768 });
    await goto('Devices');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    const fullyShown = async () => {
      const region = (await table.boundingBox())!;
      const boxes = await table
        .locator('tr.device-row')
        .evaluateAll((rows) =>
          rows.map((r) => r.getBoundingClientRect()).map((b) => ({ top: b.top, bottom: b.bottom })),
        );
      return boxes.filter((b) => b.top >= region.y + 39 && b.bottom <= region.y + region.height)
        .length;
    };
    const comfortable = await fullyShown();
    await page.getByLabel('Compact rows').check();
    await expect.poll(fullyShown).toBeGreaterThanOrEqual(12);
    expect(comfortable).toBeLessThan(await fullyShown());
    await page.mouse.move(0, 0);
    await screenshot(page, 'point5-compact-rows-1366');
    expect(await accessibilityProblems(page), 'Devices, compact').toEqual([]);
    await page.getByLabel('Compact rows').uncheck();
  }, 120_000);

  it('point 8: each row offers Update… and Retry, and a device page holds its whole history', async () => {
    const table = page.getByRole('region', { name: /^Devices table/ });
    const rowOf = (device: Device) =>
      table.getByRole('row').filter({
        has: page.getByRole('button', { name: `Details of ${device.name}`, exact: true }),
      });
    await page.getByLabel('Search devices').fill('CIM-168-02-22-0');
    // d0's update timed out for good: Retry sends it again from the row.
    await rowOf(dev(0))
      .getByRole('button', { name: `Retry the update of ${dev(0).name}` })
      .click();
    await expect
      .poll(async () => (await api.call('executions.list', { deviceId: dev(0).id }))[0]?.attempts)
      .toBe(3);
    await expect.poll(() => rowOf(dev(0)).innerText()).toMatch(/QUEUED|INITIATED/);

    await rowOf(dev(6))
      .getByRole('button', { name: `Update ${dev(6).name}…` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Update ${dev(6).name}` });
    // 1.0.1 just failed: it is not the one preset.
    const select = dialog.getByLabel('Firmware', { exact: true });
    expect(await select.inputValue()).toBe(f102.id);
    expect(await select.locator('option:checked').innerText()).toBe('CIM-168 1.0.2');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(async () => {
        const list = await api.call('devices.list', {});
        return list.find((x) => x.id === dev(6).id)?.firmware.assignedPackageId;
      })
      .toBe(f102.id);

    await page.getByLabel('Search devices').fill('ROOFTOP');
    await rowOf(dev(38))
      .getByRole('button', { name: `Details of ${dev(38).name}` })
      .click();
    const drawer = page.getByRole('complementary', { name: `Device ${LONG_NAME}` });
    await drawer
      .getByRole('region', { name: `Protocol errors of ${LONG_NAME}` })
      .getByText('invalid-json')
      .waitFor();
    const facts = await drawer.locator('dl').textContent();
    expect(facts).toMatch(/Firmware now\s*CIM-168-agent 4\.12\.3-rc7/);
    const telemetry = drawer.getByRole('region', { name: `Recent telemetry of ${LONG_NAME}` });
    expect(await telemetry.innerText()).toContain('current_fw_version');
    await page.getByRole('button', { name: 'Close details' }).click();

    // The whole history of a device that failed: each attempt with its error and whose it is.
    await page.getByLabel('Search devices').fill(dev(1).name);
    await rowOf(dev(1))
      .getByRole('button', { name: `Details of ${dev(1).name}` })
      .click();
    const history = page
      .getByRole('complementary', { name: `Device ${dev(1).name}` })
      .getByRole('region', { name: `Updates of ${dev(1).name}` });
    await history.getByText('Attempt 2 of 2').waitFor();
    const text = await history.innerText();
    expect(text).toMatch(
      /Attempt 1 of 2[\s\S]*200 kB of 200 kB served[\s\S]*Device error \(fw_error\): Checksum does not match/,
    );
    expect(text).toMatch(/Attempt 2 of 2[\s\S]*Station time-out: No progress for/);
    await page.mouse.move(0, 0);
    await screenshot(page, 'point8-device-history-1366');
    expect(await accessibilityProblems(page), 'Device page').toEqual([]);
    await page.getByRole('button', { name: 'Close details' }).click();
  }, 120_000);

  it('point 9: selects rows (shift-click ranges, all shown) and acts on them; retries all failed of a job in one click; a filter never silently becomes a job target', async () => {
    const table = page.getByRole('region', { name: /^Devices table/ });
    await page.getByLabel('Search devices').fill('CIM-168-02-22-1');
    const count = page.getByRole('group', { name: 'Selected devices' });
    await table.getByLabel(`Select ${dev(10).name}`).click();
    await table.getByLabel(`Select ${dev(13).name}`).click({ modifiers: ['Shift'] });
    // The range is applied on the next render: read the count once it has settled.
    await expect.poll(() => count.getByText(/selected$/).innerText()).toBe('4 devices selected');
    for (const i of [10, 11, 12, 13])
      expect(await table.getByLabel(`Select ${dev(i).name}`).isChecked()).toBe(true);
    await count.getByRole('button', { name: 'Clear selection' }).click();
    await table.getByLabel(/^Select all 10 devices shown/).check();
    expect(await count.getByText(/selected$/).innerText()).toBe('10 devices selected');
    await page.mouse.move(0, 0);
    await screenshot(page, 'point9-selection-1366');

    await count.getByRole('button', { name: 'New job for selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New job' });
    expect(await dialog.getByLabel('Devices I choose').isChecked()).toBe(true);
    expect(await dialog.getByLabel('Package').inputValue()).toBe(f102.id);
    expect(
      await dialog.getByRole('status').filter({ hasText: 'will be updated' }).innerText(),
    ).toContain('10 devices will be updated to CIM-168 1.0.2');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await count.getByRole('button', { name: 'Clear selection' }).click();

    // Retry the selection's failed device; un-assign two.
    await page.getByLabel('Search devices').fill('CIM-168-02-22-0');
    await table.getByLabel(`Select ${dev(1).name}`).click();
    await count.getByRole('button', { name: 'Retry 1 failed device' }).click();
    await expect
      .poll(async () => (await api.call('executions.list', { deviceId: dev(1).id }))[0]?.attempts)
      .toBe(3);
    await count.getByRole('button', { name: 'Clear selection' }).click();
    for (const i of [8, 9])
      await api.call('assignments.assign', { deviceId: dev(i).id, packageId: f102.id });
    for (const i of [8, 9])
      await expect
        .poll(() =>
          table
            .getByRole('row')
            .filter({ hasText: dev(i).name })
            .innerText(),
        )
        .toMatch(/QUEUED|INITIATED/);
    await table.getByLabel(`Select ${dev(8).name}`).click();
    await table.getByLabel(`Select ${dev(9).name}`).click();
    await count.getByRole('button', { name: 'Un-assign…' }).click();
    const unassign = page.getByRole('dialog', { name: 'Un-assign firmware' });
    await expect
      .poll(() => unassign.getByRole('status').filter({ hasText: 'will be' }).innerText())
      .toContain('2 devices will be un-assigned');
    expect(await accessibilityProblems(page), 'Un-assign dialog').toEqual([]);
    await unassign.getByRole('button', { name: 'Un-assign 2 devices' }).click();
    await unassign.waitFor({ state: 'detached' });
    const after = await api.call('devices.list', {});
    for (const i of [8, 9])
      expect(after.find((x) => x.id === dev(i).id)?.firmware.assignedPackageId).toBeNull();

    // "Retry all failed" on a job, in one click.
    const job = await api.call('jobs.create', {
      packageId: f102.id,
      deviceIds: [dev(20).id, dev(21).id],
      policy: { concurrency: 0, retries: 0 },
    });
    await fail([dev(20), dev(21)]);
    await goto('Monitor');
    const row = jobRow('CIM-168 1.0.2 (2 devices)');
    await expect
      .poll(() => row.innerText(), { timeout: 15_000 })
      .toContain('Completed with failures');
    await row.getByRole('button', { name: /^Retry all failed devices of job/ }).click();
    await expect
      .poll(async () =>
        (await api.call('jobs.get', { id: job.id })).executions.map((e) => e.attempts),
      )
      .toEqual([2, 2]);
    await expect.poll(() => row.innerText()).toMatch(/RUNNING/);

    // A filter left on the Devices page is offered, not chosen; a package that just failed is
    // not preset.
    await goto('Devices');
    await page.getByLabel('Search devices').fill('02-22-07');
    await goto('Monitor');
    await page.getByRole('button', { name: 'New job' }).click();
    const newJob = page.getByRole('dialog', { name: 'New job' });
    expect(await newJob.getByLabel('Package').inputValue()).toBe('');
    expect(await newJob.getByText('none is preset, because a package just failed').count()).toBe(1);
    await newJob.getByLabel('Package').selectOption(f102.id);
    expect(await newJob.getByLabel(/Every device of profile CIM-168/).isChecked()).toBe(true);
    expect(await newJob.getByLabel(/The devices shown on the Devices page/).isChecked()).toBe(
      false,
    );
    await screenshot(page, 'point9-new-job-no-silent-target-1366');
    expect(await accessibilityProblems(page), 'New job').toEqual([]);
    await page.keyboard.press('Escape');
    expect(watched.problems).toEqual([]);
  }, 150_000);

  it('points 1-4, 8 and 9 read the same at 1024×768 in the dark theme, axe clean', async () => {
    const dark = await openPage(browser, `${station.uiUrl}#/monitor`, 'dark');
    await dark.page.setViewportSize({ width: 1024, height: 768 });
    const p = dark.page;
    const jobs = p.getByRole('region', { name: 'Jobs table' });
    const darkJobRow = (name: string) =>
      jobs
        .getByRole('row')
        .filter({ has: p.getByRole('button', { name: `Show the updates of job ${name}` }) });
    const inWindow = async (control: Locator, what: string) => {
      const box = (await control.boundingBox())!;
      expect(box.x + box.width, `${what} at 1024`).toBeLessThanOrEqual(1024);
      expect(box.y + box.height, `${what} at 1024`).toBeLessThanOrEqual(768);
    };

    // Point 2: the finished job's words, and the canceled one keeps its failed device.
    const finished = darkJobRow('CIM-168 1.0.1 (2 devices)');
    await finished.getByText('Completed with failures').waitFor();
    expect(await finished.innerText()).toMatch(/0\/2 updated[\s\S]*2 failed/);
    const canceled = await darkJobRow('CIM-168 1.0.1 (3 devices)').innerText();
    for (const words of ['CANCELED', '1 failed', '2 canceled']) expect(canceled).toContain(words);
    await p.mouse.move(0, 0);
    await screenshot(p, 'point2-job-status-dark-1024');

    // Point 1: the first error and the last, each with whose word it is, read in full.
    await p.getByLabel('Search updates').fill(dev(0).name);
    const updates = p.getByRole('region', { name: /^Updates table/ });
    await updates
      .getByRole('button', { name: `Details of ${dev(0).name} CIM-168 1.0.1` })
      .first()
      .click();
    const panel = p.getByRole('complementary', { name: `Update of ${dev(0).name}` });
    await p.getByRole('region', { name: `Attempts of ${dev(0).name}` }).waitFor();
    const alert = panel.getByRole('alert');
    expect(await alert.innerText()).toMatch(
      /First error \(attempt 1\) · Device error \(fw_error\):\s*Checksum does not match[\s\S]*Last error \(attempt \d\) · Station time-out:\s*No progress for/,
    );
    await inWindow(alert, 'the errors');
    await p.mouse.move(0, 0);
    await screenshot(p, 'point1-attempts-dark-1024');
    expect(await accessibilityProblems(p), 'Monitor, dark').toEqual([]);
    await p.getByRole('button', { name: 'Close details' }).click();
    await p.getByLabel('Search updates').fill('');

    // Points 3 and 4 on a job of their own: nothing else runs, so the header is this job.
    for (const job of await api.call('jobs.list', {}))
      if (job.status === 'RUNNING' || job.status === 'PAUSED')
        await api.call('jobs.cancel', { id: job.id });
    await api.call('jobs.create', {
      packageId: f101.id,
      deviceIds: [dev(22).id, dev(23).id, dev(24).id, dev(25).id],
      policy: { concurrency: 0, retries: 1, retryDelaySec: 3, timeoutSec: 60 },
    });
    const row = darkJobRow('CIM-168 1.0.1 (4 devices)');
    await row.getByText('RUNNING').waitFor();
    const seen: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        seen.push(await row.innerText().catch(() => ''));
        await p.waitForTimeout(100);
      }
    })();
    const stalled = await stallMidDownload(station.mqttUrl, dev(23).accessToken, 2);
    try {
      await fail([dev(22)]);
      // Failed and sent again after 3 s: said apart from failed for good, meanwhile and after.
      await expect.poll(() => row.innerText()).toContain('0 failed · 1 failed, retrying');
      await p.waitForTimeout(4_000);
      sampling = false;
      await sampler;
      const percents = seen
        .map((t) => /(\d+) % ·/.exec(t)?.[1])
        .filter(Boolean)
        .map(Number);
      expect(percents.length).toBeGreaterThan(5);
      for (let i = 1; i < percents.length; i++)
        expect(percents[i], `progress ${percents.join(' → ')}`).toBeGreaterThanOrEqual(
          percents[i - 1] as number,
        );
      // Point 4: the header and the job row say the same figure.
      const header = p.getByRole('list', { name: 'Station status' });
      const headerJobs = header.getByRole('listitem').filter({ hasText: /^Updates/ });
      await expect.poll(() => headerJobs.innerText()).toMatch(/4 devices updating/);
      await expect
        .poll(async () => {
          const inRow = /(\d+) % ·/.exec(await row.innerText())?.[1];
          const inHeader = /(\d+) %/.exec(await headerJobs.innerText())?.[1];
          return inRow !== undefined && inRow === inHeader;
        })
        .toBe(true);
      await p.mouse.move(0, 0);
      await screenshot(p, 'point3-4-retrying-and-one-figure-dark-1024');
      expect(await accessibilityProblems(p), 'Monitor with a retrying job, dark').toEqual([]);
    } finally {
      sampling = false;
      await sampler;
      await stalled.endAsync(true).catch(() => undefined);
    }

    // Point 8: a failed device's row offers Update… and Retry in the window; its page keeps
    // its history.
    await api.call('jobs.create', {
      packageId: f101.id,
      deviceIds: [dev(26).id],
      policy: { concurrency: 0, retries: 0 },
    });
    await fail([dev(26)]);
    await p.getByRole('link', { name: 'Devices', exact: true }).click();
    await p.getByLabel('Search devices').fill(dev(26).name);
    const deviceRow = p
      .getByRole('region', { name: /^Devices table/ })
      .getByRole('row')
      .filter({ hasText: dev(26).name });
    const retry = deviceRow.getByRole('button', { name: `Retry the update of ${dev(26).name}` });
    await retry.waitFor();
    await inWindow(retry, 'Retry of the row');
    await inWindow(
      deviceRow.getByRole('button', { name: `Update ${dev(26).name}…` }),
      'Update… of the row',
    );
    await p.getByLabel('Compact rows').check();
    await p.getByRole('button', { name: `Details of ${dev(26).name}` }).click();
    const history = p
      .getByRole('complementary', { name: `Device ${dev(26).name}` })
      .getByRole('region', { name: `Updates of ${dev(26).name}` });
    await history.getByText('Attempt 1', { exact: true }).waitFor();
    const historyText = await history.innerText();
    expect(historyText, historyText).toMatch(
      /Attempt 1[\s\S]*200 kB of 200 kB served[\s\S]*Device error \(fw_error\): Checksum does not match/,
    );
    await p.mouse.move(0, 0);
    await screenshot(p, 'point8-device-history-dark-1024');
    expect(await accessibilityProblems(p), 'Devices with device page, dark').toEqual([]);
    await p.getByRole('button', { name: 'Close details' }).click();
    await p.getByLabel('Compact rows').uncheck();

    // Point 9: all shown selected, the count and the actions on the selection in the window.
    await p.getByLabel('Search devices').fill('CIM-168-02-22-1');
    const table = p.getByRole('region', { name: /^Devices table/ });
    await table.getByLabel(/^Select all 10 devices shown/).check();
    const selection = p.getByRole('group', { name: 'Selected devices' });
    expect(await selection.getByText(/selected$/).innerText()).toBe('10 devices selected');
    for (const action of ['New job for selected…', 'Un-assign…', 'Clear selection'])
      await inWindow(selection.getByRole('button', { name: action }), action);
    await p.mouse.move(0, 0);
    await screenshot(p, 'point9-selection-dark-1024');
    expect(await accessibilityProblems(p), 'Devices with a selection, dark').toEqual([]);
    expect(dark.problems).toEqual([]);
    await dark.context.close();
  }, 150_000);
});

/** "ETA 1 min 05 s" → 65. */
function etaSeconds(text: string): number {
  const match = /ETA (?:(\d+) min )?(\d+) s/.exec(text);
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2]) : -1;
}
