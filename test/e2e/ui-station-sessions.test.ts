import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import type { Device, Package } from '../../shared/api/entities';
import type { ApiClient } from '../../shared/api/operations';
import { waitFor } from '../support/wait';
import { accessibilityProblems } from './support/axe';
import { BROWSER_TEST_TIMEOUT_MS, pagesClosedAfterEach, screenshot } from './support/browser';
import { fleetScene } from './support/fleet';
import type { StationProcess } from './support/station-process';

// The Station page lists who is connected: a device that downloads and one that connects over
// MQTT 5, reports telemetry and never asks for a chunk, which must be easy to spot.
describe('the Station page list of connected devices', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let devices: Device[];
  let idle: MqttClient;
  const hold = new AbortController();
  let held: Promise<unknown>;
  const fleet = fleetScene(
    300_000,
    ['90', '91', '92'].map((s) => `CIM-168-02-22-${s}`),
  );
  const openPage = pagesClosedAfterEach();

  beforeAll(async () => {
    let firmware: Package;
    ({ station, api, browser, firmware, devices } = fleet());
    const [downloader, silent] = devices as [Device, Device];
    await api.call('assignments.assign', { deviceId: downloader.id, packageId: firmware.id });
    await api.call('assignments.assign', { deviceId: silent.id, packageId: firmware.id });
    // The first updates and stays connected; the second only says hello.
    let updated = false;
    held = runSimulation({
      url: station.mqttUrl,
      tokens: [downloader.accessToken],
      packageTypes: ['FIRMWARE'],
      chunkSize: 65_536,
      holdMs: 5 * 60_000,
      timeoutMs: 5 * 60_000,
      signal: hold.signal,
      onDeviceState: (event) => {
        if (event.state === 'UPDATED') updated = true;
      },
    });
    idle = await mqtt.connectAsync(station.mqttUrl, {
      username: silent.accessToken,
      clientId: 'cim168-02-22-91',
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    await idle.publishAsync(
      'v1/devices/me/telemetry',
      '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0"}',
      { qos: 1 },
    );
    await waitFor(() => updated, { timeoutMs: 60_000, what: 'the simulated device updated' });
  }, BROWSER_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await idle?.endAsync(true).catch(() => undefined);
    hold.abort();
    await held?.catch(() => undefined);
  });

  const table = (page: Page) => page.getByRole('region', { name: 'Connected devices table' });
  const row = (page: Page, name: string) => table(page).getByRole('row').filter({ hasText: name });

  it('answers station.sessions with each connection and what it sent', async () => {
    const sessions = await api.call('station.sessions', {});
    expect(sessions.map((s) => s.deviceName).sort()).toEqual([
      'CIM-168-02-22-90',
      'CIM-168-02-22-91',
    ]);
    const silent = sessions.find((s) => s.deviceName === 'CIM-168-02-22-91')!;
    expect(silent).toMatchObject({
      clientId: 'cim168-02-22-91',
      protocolVersion: 5,
      lastMessageKind: 'telemetry',
      messages: 1,
      chunkRequests: 0,
    });
    expect(silent.remoteAddress).toMatch(/127\.0\.0\.1/);
    const downloader = sessions.find((s) => s.deviceName === 'CIM-168-02-22-90')!;
    // 300 000 bytes in 64 KiB chunks: five asked for.
    expect(downloader.chunkRequests).toBe(5);
    expect(downloader.protocolVersion).toBe(4);
  });

  for (const [scheme, width] of [
    ['light', 1366],
    ['dark', 1024],
  ] as const) {
    it(`lists device, address, protocol, connected since, last message (${scheme}, ${width}×768)`, async () => {
      const { page, problems } = await openPage(browser, `${station.uiUrl}#/station`, scheme);
      await page.setViewportSize({ width, height: 768 });
      const region = page.getByRole('region', { name: 'Connected devices', exact: true });
      await region.getByText('2 connections · 1 has not asked for any chunk').waitFor();
      const headers = await table(page).getByRole('columnheader').allInnerTexts();
      expect(headers.map((h) => h.trim())).toEqual([
        'Device',
        'Address',
        'Protocol',
        'Connected since',
        'Last message',
        'Downloaded',
      ]);
      const silentRow = await row(page, 'CIM-168-02-22-91').innerText();
      expect(silentRow).toMatch(/127\.0\.0\.1/);
      expect(silentRow).toContain('MQTT 5');
      expect(silentRow).toMatch(/\d\d:\d\d:\d\d\s+(just now|\d+ s ago)/);
      expect(silentRow).toMatch(/Telemetry\s+(just now|\d+ s ago)/);
      expect(silentRow).toContain('No chunk asked');
      const downloaderRow = await row(page, 'CIM-168-02-22-90').innerText();
      expect(downloaderRow).toContain('MQTT 3.1.1');
      expect(downloaderRow).toContain('5 chunks');
      expect(downloaderRow).not.toContain('No chunk asked');
      // The device never connected is not listed.
      expect(await row(page, 'CIM-168-02-22-92').count()).toBe(0);
      const badge = row(page, 'CIM-168-02-22-91').getByText('No chunk asked');
      await page.getByRole('heading', { name: 'Connected devices' }).scrollIntoViewIfNeeded();
      expect(await badge.isVisible()).toBe(true);
      // The whole table fits the window: nothing to scroll sideways to find the badge.
      const fits = await table(page).evaluate((el) => el.scrollWidth <= el.clientWidth);
      expect(fits).toBe(true);
      await page.mouse.move(0, 0);
      await screenshot(page, `station-connected-devices-${scheme}-${width}`);
      expect(await accessibilityProblems(page), `Station page, ${scheme}`).toEqual([]);
      expect(problems).toEqual([]);
    });
  }

  it('drops a device from the list when it disconnects', async () => {
    const { page } = await openPage(browser, `${station.uiUrl}#/station`);
    await row(page, 'CIM-168-02-22-91').waitFor();
    await idle.endAsync();
    await row(page, 'CIM-168-02-22-91').waitFor({ state: 'detached' });
    await page
      .getByRole('region', { name: 'Connected devices' })
      .getByText(/^1 connection$/)
      .waitFor();
  });
});
