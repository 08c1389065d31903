import type { Locator, Page } from 'playwright-core';

/** The seed's device; every seed flow adds it under this name. */
export const SEED_DEVICE = 'CIM-168-02-22-90';

/**
 * The seed's console steps 5-6 as a technician does them: Devices, "Add device" named
 * CIM-168-02-22-90 (the profile preselected). `check` sees the filled dialog before it is sent.
 */
export async function addSeedDevice(
  page: Page,
  check?: (dialog: Locator) => Promise<void>,
): Promise<void> {
  await page.getByRole('link', { name: 'Devices' }).click();
  await page.getByRole('button', { name: 'Add device' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add device' });
  await dialog.getByLabel('Name').fill(SEED_DEVICE);
  await check?.(dialog);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
}

/** The seed's steps 7-8 on the Devices page: edit the device, choose CIM-168 1.0.1, Apply. */
export async function assignSeedFirmware(page: Page): Promise<void> {
  await page.getByRole('button', { name: `Edit ${SEED_DEVICE}` }).click();
  const edit = page.getByRole('dialog', { name: `Edit device ${SEED_DEVICE}` });
  await edit.getByLabel('Firmware', { exact: true }).selectOption({ label: 'CIM-168 1.0.1' });
  await edit.getByRole('button', { name: 'Apply' }).click();
  await edit.waitFor({ state: 'detached' });
}
