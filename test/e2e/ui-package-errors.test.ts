import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Device, Profile } from '../../shared/api/entities';
import type { ApiClient } from '../../shared/api/operations';
import { stationApi } from './support/api';
import { openUiPage, type PageInBrowser, screenshot } from './support/browser';
import { startStationProcess, type StationProcess } from './support/station-process';

const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

// Each way adding or deleting a package can go wrong, as the technician sees it: the station's
// own refusal, shown next to the field it is about, and nothing half-added.
describe('package errors in the Add package and Delete dialogs', () => {
  let station: StationProcess;
  let api: ApiClient;
  let browser: Browser;
  let watched: PageInBrowser;
  let page: Page;
  let tempDir: string;
  let profile: Profile;
  let device: Device;
  const firmware = crypto.randomBytes(50_000);

  beforeAll(async () => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-ui-errors-'));
    station = await startStationProcess();
    api = stationApi(station);
    profile = await api.call('profiles.add', { name: 'CIM-168' });
    device = await api.call('devices.add', { name: 'CIM-168-02-22-90', profileId: profile.id });
    watched = await openUiPage(station.uiUrl, 'packages', 'Packages');
    ({ browser, page } = watched);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await station?.stop();
    if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  });

  function writeFile(name: string, data: Buffer): string {
    const file = path.join(tempDir, name);
    fs.writeFileSync(file, data);
    return file;
  }

  async function openAddPackage(): Promise<Locator> {
    await page.getByRole('button', { name: 'Add package' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add package' });
    await dialog.waitFor();
    return dialog;
  }

  async function fill(
    dialog: Locator,
    fields: { title: string; version: string; file: string; checksum?: string },
  ): Promise<void> {
    await dialog.getByLabel('Title').fill(fields.title);
    await dialog.getByLabel('Version').fill(fields.version);
    await dialog.getByLabel('Device profile', { exact: true }).selectOption({ label: 'CIM-168' });
    await dialog.getByLabel('Expected checksum').fill(fields.checksum ?? '');
    await dialog.getByLabel('Binary file').setInputFiles(fields.file);
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  }

  /** The error shown under a field (linked to it by aria-describedby). */
  async function fieldError(dialog: Locator, label: string): Promise<string> {
    const control = dialog.getByLabel(label, { exact: true });
    await expect.poll(() => control.getAttribute('aria-invalid'), { timeout: 10_000 }).toBe('true');
    const ids = ((await control.getAttribute('aria-describedby')) ?? '').split(' ');
    const errorId = ids.find((id) => id.endsWith('-error'));
    expect(errorId, `${label} has an error linked`).toBeDefined();
    return page.locator(`[id="${errorId}"]`).innerText();
  }

  it('checks fields before sending: a missing title and a malformed checksum', async () => {
    const dialog = await openAddPackage();
    await fill(dialog, {
      title: '',
      version: '1.0.1',
      file: writeFile('fw.bin', firmware),
      checksum: 'abc123',
    });
    expect(await fieldError(dialog, 'Title')).toBe('Title is required');
    expect(await fieldError(dialog, 'Expected checksum (optional)')).toBe(
      'A SHA256 checksum is 64 hexadecimal digits (0-9, a-f)',
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await api.call('packages.list', {})).toEqual([]);
  });

  it('refuses a duplicate title and version, saying which', async () => {
    let dialog = await openAddPackage();
    await fill(dialog, { title: 'CIM-168', version: '1.0.1', file: writeFile('fw.bin', firmware) });
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    dialog = await openAddPackage();
    await fill(dialog, {
      title: 'CIM-168',
      version: '1.0.1',
      file: writeFile('fw-again.bin', firmware),
    });
    expect(await fieldError(dialog, 'Version')).toBe(
      'A package titled "CIM-168" with version "1.0.1" already exists',
    );
    await screenshot(page, 'error-duplicate-package-light');
    await page.keyboard.press('Escape');
    expect(await api.call('packages.list', {})).toHaveLength(1);
  });

  it('refuses an empty file', async () => {
    const dialog = await openAddPackage();
    await fill(dialog, {
      title: 'CIM-168',
      version: '1.0.2',
      file: writeFile('empty.bin', Buffer.alloc(0)),
    });
    expect(await fieldError(dialog, 'Binary file')).toBe(
      'The file empty.bin is empty: a package needs a binary',
    );
    await page.keyboard.press('Escape');
    expect(await api.call('packages.list', {})).toHaveLength(1);
  });

  it('refuses a file that does not match the expected checksum, with both values', async () => {
    const data = crypto.randomBytes(20_000);
    const other = sha256(crypto.randomBytes(10));
    const dialog = await openAddPackage();
    await fill(dialog, {
      title: 'CIM-168',
      version: '1.0.2',
      file: writeFile('fw-1.0.2.bin', data),
      checksum: other.toUpperCase(),
    });
    expect(await fieldError(dialog, 'Expected checksum (optional)')).toBe(
      `Checksum does not match the file (expected ${other}, got ${sha256(data)}, SHA256)`,
    );
    await screenshot(page, 'error-checksum-mismatch-light');

    // Corrected, the same dialog adds it.
    await dialog.getByLabel('Expected checksum').fill(sha256(data));
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    const list = await api.call('packages.list', {});
    expect(list.map((p) => p.version).sort()).toEqual(['1.0.1', '1.0.2']);
  });

  it('shows upload progress with bytes and speed, and a cancelled upload adds nothing', async () => {
    // A sparse 3 GB file: big enough to be caught mid-upload, costing no disk space.
    const big = path.join(tempDir, 'big.bin');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 3 * 1024 ** 3);
    const dialog = await openAddPackage();
    await fill(dialog, { title: 'CIM-168', version: '9.9.9', file: big });
    const progress = dialog.getByText(/^Uploading .+ of 3\.22 GB$/);
    await progress.waitFor();
    await expect
      .poll(() => dialog.locator('.upload-figures').innerText())
      .toMatch(/[\d.]+ [kMG]B\/s/);
    expect(await dialog.getByRole('progressbar', { name: 'Upload progress' }).count()).toBe(1);
    await screenshot(page, 'upload-progress-light');
    await dialog.getByRole('button', { name: 'Cancel upload' }).click();
    expect(await dialog.getByRole('alert').innerText()).toBe(
      'Upload cancelled: nothing was added.',
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The station drops the half-received file: still only the packages added before.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await api.call('packages.list', {})).map((p) => p.version).sort()).toEqual([
      '1.0.1',
      '1.0.2',
    ]);
  });

  it('finds a corrupted cached binary on Verify, marks it Corrupt and no longer offers it', async () => {
    const pkg = (await api.call('packages.list', {})).find((p) => p.version === '1.0.2')!;
    // Flip one byte of the cached binary, as a failing disk would.
    const blob = path.join(station.dataDir, 'packages', 'blobs', pkg.sha256);
    const bytes = fs.readFileSync(blob);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    fs.writeFileSync(blob, bytes);

    await page.getByRole('button', { name: 'Verify CIM-168 1.0.2' }).click();
    await page
      .getByRole('status')
      .getByText(/CIM-168 1\.0\.2 is corrupt: .*no longer matches/)
      .waitFor();
    const row = page.getByRole('row', { name: /CIM-168\s+1\.0\.2/ });
    expect(await row.innerText()).toContain('Corrupt');

    // The Edit dialog lists it, but it cannot be chosen.
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
    const option = edit
      .getByLabel('Firmware', { exact: true })
      .locator('option', { hasText: '1.0.2' });
    expect(await option.innerText()).toBe('CIM-168 1.0.2 (corrupt: add it again)');
    expect(await option.isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await edit.waitFor({ state: 'detached' });

    // Repaired on disk, Verify makes it Ready again.
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    fs.writeFileSync(blob, bytes);
    await page.getByRole('link', { name: 'Packages' }).click();
    await page.getByRole('button', { name: 'Verify CIM-168 1.0.2' }).click();
    await page
      .getByRole('status')
      .getByText('CIM-168 1.0.2: the cached binary is intact')
      .waitFor();
    await expect.poll(() => row.innerText()).toContain('Ready');
  });

  it('refuses to delete a package while it is assigned, with the reason, and deletes it once un-assigned', async () => {
    const pkg = (await api.call('packages.list', {})).find((p) => p.version === '1.0.1')!;
    await api.call('assignments.assign', { deviceId: device.id, packageId: pkg.id });
    // The package's row learns of the assignment from the station's pushed event.
    const assignedCell = page
      .getByRole('row', { name: /CIM-168\s+1\.0\.1/ })
      .getByRole('cell')
      .nth(6);
    await expect.poll(() => assignedCell.innerText()).toBe('1');

    await page.getByRole('button', { name: 'Delete CIM-168 1.0.1' }).click();
    const refused = page.getByRole('dialog', { name: "Can't delete CIM-168 1.0.1" });
    expect(await refused.innerText()).toContain(
      'CIM-168 1.0.1 is assigned to 1 device. Un-assign it first',
    );
    await screenshot(page, 'error-delete-assigned-light');
    await refused.getByRole('button', { name: 'Close', exact: true }).last().click();
    await refused.waitFor({ state: 'detached' });

    // Un-assign in the UI: Edit, Firmware None, Apply.
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('button', { name: 'Edit CIM-168-02-22-90' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit device CIM-168-02-22-90' });
    await edit.getByLabel('Firmware', { exact: true }).selectOption({ label: 'None' });
    await edit.getByRole('button', { name: 'Apply' }).click();
    await edit.waitFor({ state: 'detached' });
    expect(
      (await api.call('devices.get', { id: device.id })).firmware.assignedPackageId,
    ).toBeNull();

    await page.getByRole('link', { name: 'Packages' }).click();
    await page.getByRole('button', { name: 'Delete CIM-168 1.0.1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete package CIM-168 1.0.1?' });
    await confirm.getByRole('button', { name: 'Delete package' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText('Package CIM-168 1.0.1 deleted').waitFor();
    await expect.poll(() => page.getByRole('row', { name: /CIM-168\s+1\.0\.1/ }).count()).toBe(0);
    expect((await api.call('packages.list', {})).map((p) => p.version)).toEqual(['1.0.2']);
  });

  it("shows the station's refusal when an assignment arrives while the delete dialog is open", async () => {
    const pkg = (await api.call('packages.list', {}))[0]!;
    await page.getByRole('button', { name: `Delete CIM-168 ${pkg.version}` }).click();
    const confirm = page.getByRole('dialog', { name: `Delete package CIM-168 ${pkg.version}?` });
    await confirm.waitFor();
    await api.call('assignments.assign', { deviceId: device.id, packageId: pkg.id });
    await confirm.getByRole('button', { name: 'Delete package' }).click();
    expect(await confirm.getByRole('alert').innerText()).toBe(
      `Package CIM-168 ${pkg.version} is assigned to 1 device(s); un-assign it first`,
    );
    await page.keyboard.press('Escape');
    expect(await api.call('packages.list', {})).toHaveLength(1);
    // Refusals are 4xx answers the browser logs; anything else would be a real problem.
    const unexpected = watched.problems.filter((p) => !/status of 4(00|09)/.test(p));
    expect(unexpected).toEqual([]);
  });
});
