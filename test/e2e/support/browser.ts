import fs from 'node:fs';
import path from 'node:path';

import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterEach } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'test-results',
  'screenshots',
);

/**
 * How long a page may take to show what is already true (a control, a row, a settled text):
 * the bound of every Playwright wait on a watched page and of the tests' polls of page text.
 * Long enough for a loaded machine; a page that never shows it still fails, naming what.
 */
export const PAGE_WAIT = { timeout: 10_000 };

/**
 * Vitest's bound for a browser test or its set-up: rendering, axe-core and screenshots in
 * Chromium share two cores with the station and the other test files (at load 12 one page with
 * its axe pass took 10 s). Nothing a test checks depends on it.
 */
export const BROWSER_TEST_TIMEOUT_MS = 180_000;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

/** A page that records every console error and uncaught exception (CSP violations included). */
export async function openPage(
  browser: Browser,
  url: string,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<WatchedPage> {
  const context = await browser.newContext({
    colorScheme,
    viewport: { width: 1440, height: 900 },
    permissions: [],
  });
  // Fail with a message naming the control, well before vitest's own test timeout.
  context.setDefaultTimeout(PAGE_WAIT.timeout);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, context, problems };
}

/** A browser and its one watched page. */
export interface PageInBrowser extends WatchedPage {
  browser: Browser;
}

/**
 * A browser on one page of the UI (`route`, e.g. "devices"), returned once the page's title
 * (`heading`) shows. The caller closes the browser.
 */
export async function openUiPage(
  uiUrl: string,
  route: string,
  heading: string,
): Promise<PageInBrowser> {
  const browser = await launchBrowser();
  try {
    const watched = await openPage(browser, `${uiUrl}#/${route}`);
    await watched.page.getByRole('heading', { level: 1, name: heading }).waitFor();
    return { browser, ...watched };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/**
 * openPage for the tests of one block, each page closed after its test, failed or not: a page
 * left open keeps rendering the station's pushed events, and the CPU, for the rest of the file.
 */
export function pagesClosedAfterEach(): typeof openPage {
  const open: BrowserContext[] = [];
  afterEach(async () => {
    for (const context of open.splice(0)) await context.close().catch(() => undefined);
  });
  return async (...args) => {
    const watched = await openPage(...args);
    open.push(watched.context);
    return watched;
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
