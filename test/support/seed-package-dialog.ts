import type { Locator, Page } from 'playwright-core';

/**
 * The seed's console steps 2-4 as a technician does them, in the browser or the desktop app:
 * "Add package" with Title CIM-168, Version 1.0.1, a new device profile CIM-168, Package type
 * Firmware. Returns the open dialog, so each test checks what it wants before choosing the file.
 */
export async function fillSeedPackageDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Add package' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Add package' });
  await dialog.getByLabel('Title').fill('CIM-168');
  await dialog.getByLabel('Version').fill('1.0.1');
  // A fresh station has no device profile: create it inline.
  await dialog
    .getByLabel('Device profile', { exact: true })
    .selectOption({ label: 'New device profile…' });
  await dialog.getByLabel('New device profile name').fill('CIM-168');
  await dialog.getByLabel('Package type').selectOption({ label: 'Firmware' });
  return dialog;
}

/** Chooses the binary, adds the package, and waits for the dialog to close. */
export async function submitPackageDialog(dialog: Locator, file: string): Promise<void> {
  await dialog.getByLabel('Binary file').setInputFiles(file);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog.waitFor({ state: 'detached', timeout: 15_000 });
}
