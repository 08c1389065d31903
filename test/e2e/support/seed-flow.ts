import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

import { runSimulation, type SimulationOptions } from '../../../electron/simulator';
import type { Device } from '../../../shared/api/entities';
import { SEED_DEVICE } from '../../support/seed-device-dialogs';
import { fillSeedPackageDialog, submitPackageDialog } from '../../support/seed-package-dialog';
import { stationApi } from './api';
import { launchBrowser, openPage, PAGE_WAIT, type WatchedPage } from './browser';
import { startStationProcess, type StationProcess } from './station-process';

export interface SeedFlowScene extends WatchedPage {
  station: StationProcess;
  /** The seed's 300 kB firmware binary, as the technician picks it from disk. */
  firmware: Buffer;
  file: string;
}

/**
 * The seed flow's scene for the tests of one describe block: a new headless station, a browser
 * page on its UI, and the firmware file on disk; all gone after the block. Read it in the tests.
 */
export function seedFlowScene(tempPrefix: string): () => SeedFlowScene {
  let station: StationProcess | undefined;
  let browser: Browser | undefined;
  let tempDir: string | undefined;
  let scene: SeedFlowScene | undefined;
  beforeAll(async () => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), tempPrefix));
    const firmware = crypto.randomBytes(300_000);
    const file = path.join(tempDir, 'CIM-168-1.0.1.bin');
    fs.writeFileSync(file, firmware);
    station = await startStationProcess();
    browser = await launchBrowser();
    scene = { ...(await openPage(browser, station.uiUrl)), station, firmware, file };
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });
  return () => {
    if (!scene) throw new Error('the seed flow scene is read inside a test');
    return scene;
  };
}

/**
 * The seed's steps 2-4 on the Packages page; `check` sees the filled dialog before the file is
 * chosen. Waits for the announcement that the package was added.
 */
export async function addSeedPackage(
  page: Page,
  file: string,
  check?: (dialog: Locator) => Promise<void>,
): Promise<void> {
  await page.getByRole('link', { name: 'Packages' }).click();
  const dialog = await fillSeedPackageDialog(page);
  await check?.(dialog);
  await submitPackageDialog(dialog, file);
  await page.getByRole('status').getByText('Package CIM-168 1.0.1 added').waitFor();
}

/** The Monitor's row of the seed device's update, which the station has queued at once. */
export async function seedUpdateRow(page: Page): Promise<Locator> {
  await page.getByRole('link', { name: 'Monitor' }).click();
  const row = page.getByRole('row', { name: new RegExp(SEED_DEVICE) });
  await row.waitFor();
  expect(await row.innerText()).toMatch(/QUEUED|INITIATED/);
  return row;
}

/** The seed device as the station's API lists it (its token is what the device connects with). */
export async function seedDevice(station: StationProcess): Promise<Device> {
  const devices = await stationApi(station).call('devices.list', {});
  const device = devices.find((d) => d.name === SEED_DEVICE);
  expect(device).toBeDefined();
  return device!;
}

/** How the simulated device reaches the station: the transport, its address and pace. */
export type DeviceLink = Pick<SimulationOptions, 'transport' | 'url' | 'chunkSize' | 'timeoutMs'>;

/** The seed device, running CIM-168 1.0.0, takes its firmware update over `link`. */
export function updateSeedDevice(device: Device, link: DeviceLink) {
  return runSimulation({
    ...link,
    tokens: [device.accessToken],
    packageTypes: ['FIRMWARE'],
    installed: { fwTitle: 'CIM-168', fwVersion: '1.0.0' },
  });
}

/** The Monitor row, fed by pushed events only, reaches UPDATED with every byte counted. */
export async function expectShownUpdated(updateRow: Locator): Promise<void> {
  await expect.poll(() => updateRow.innerText(), PAGE_WAIT).toContain('UPDATED');
  expect(await updateRow.innerText()).toContain('300 kB / 300 kB');
}

/** The lines of the update's state timeline, from its details on the Monitor. */
export async function updateTimeline(page: Page): Promise<string[]> {
  await page.getByRole('button', { name: new RegExp(`Details of ${SEED_DEVICE}`) }).click();
  const details = page.getByRole('complementary', { name: `Update of ${SEED_DEVICE}` });
  return details.getByRole('list', { name: 'Timeline' }).getByRole('listitem').allInnerTexts();
}

/** The state a timeline line names. */
export function stateOf(line: string): string | undefined {
  return line.match(/[A-Z_]{5,}/)?.[0];
}
