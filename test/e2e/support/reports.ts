import fs from 'node:fs';

import type { Locator, Page } from 'playwright-core';

/**
 * Downloads a job's report from its row as a technician does (Report, then CSV or JSON) and
 * returns the file's name and text.
 */
export async function downloadReport(
  page: Page,
  row: Locator,
  format: 'CSV' | 'JSON',
): Promise<{ fileName: string; text: string }> {
  await row.getByRole('button', { name: /^Report of job/ }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('button', { name: new RegExp(`^Download the ${format} report`) }).click(),
  ]);
  return {
    fileName: download.suggestedFilename(),
    text: fs.readFileSync((await download.path())!, 'utf8'),
  };
}
