/**
 * Renders build/icon.svg to build/icon.png (512x512, transparent corners), the one icon
 * electron-builder needs: it makes the .icns (macOS), .ico (Windows) and the Linux sizes from it.
 * Uses Chromium through playwright-core (set CHROMIUM_PATH if it isn't /usr/bin/chromium).
 * Run after editing the SVG: node build/render-icon.mjs
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const SIZE = 512;
const dir = path.dirname(fileURLToPath(import.meta.url));
const svg = fs.readFileSync(path.join(dir, 'icon.svg'), 'utf8');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  await page.setContent(
    `<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`,
  );
  const out = path.join(dir, 'icon.png');
  await page.locator('svg').screenshot({ path: out, omitBackground: true });
  process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
} finally {
  await browser.close();
}
