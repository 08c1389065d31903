/**
 * UI benchmark (npx tsx test/bench/ui-devices.ts [devices=10000] [updating=1000]), after
 * `npm run build`. In headless Chromium against the real headless station:
 *  1. time to first render of the Devices page with 10,000 devices (first row on screen, and
 *     the full count shown), median of 3 loads;
 *  2. long tasks (> 50 ms) per second in the page while 1000 simulated devices update, on the
 *     Devices page and then on the Monitor page.
 * Prints figures; asserts nothing (targets: < 1 s first render, no long task from the stream).
 */
import crypto from 'node:crypto';

import type { Page } from 'playwright-core';

import { runSimulation } from '../../electron/simulator';
import type { Package } from '../../shared/api/entities';
import { uploadPackage } from '../../shared/api/http-client';
import { stationApi } from '../e2e/support/api';
import { launchBrowser } from '../e2e/support/browser';
import { startStationProcess } from '../e2e/support/station-process';
import { type LocalStation, stationAuth } from '../support/station-client';

const DEVICES = Number(process.argv[2] ?? 10_000);
const UPDATING = Number(process.argv[3] ?? 1_000);
const PARALLEL_CALLS = 16;
const PACKAGE_BYTES = 256 * 1024;
const CHUNK_BYTES = 16 * 1024;
const LOADS = 3;

/** Installed before the page's own scripts: long tasks and the first device row, timed from navigation start. */
const PAGE_PROBE = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.__firstRowAt = null;
  new MutationObserver((_, observer) => {
    if (document.querySelector('tr.device-row')) {
      window.__firstRowAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

interface LongTask {
  start: number;
  duration: number;
}

async function main(): Promise<void> {
  const station = await startStationProcess();
  const browser = await launchBrowser();
  try {
    const api = stationApi(station);
    console.log(
      `station ${station.httpUrl} ${station.mqttUrl}; ${DEVICES} devices, ${UPDATING} updating`,
    );

    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    let started = performance.now();
    const devices = await inParallel(DEVICES, (i) =>
      api.call('devices.add', {
        name: `CIM-168-${String(i).padStart(6, '0')}`,
        profileId: profile.id,
      }),
    );
    console.log(`created ${devices.length} devices through the API in ${secs(started)} s`);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(PAGE_PROBE);
    const page = await context.newPage();

    // 1. First render of the Devices page.
    const firstRow: number[] = [];
    const fullCount: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      // A real load each time (a goto to the same URL would only be a fragment navigation).
      await page.goto('about:blank');
      await page.goto(`${station.uiUrl}#/devices`);
      await page.waitForFunction(
        (n) =>
          document.querySelector('.result-count')?.textContent ===
          `${n.toLocaleString('en-US')} devices`,
        DEVICES,
        { timeout: 60_000 },
      );
      const countAt = await page.evaluate(() => performance.now());
      const rowAt = await page.waitForFunction(
        () => (window as unknown as { __firstRowAt: number | null }).__firstRowAt,
      );
      firstRow.push((await rowAt.jsonValue()) as number);
      fullCount.push(countAt);
    }
    const loadTasks = await longTasks(page, 0, Infinity);
    console.log(
      `Devices page, ${DEVICES} devices: first row ${median(firstRow).toFixed(0)} ms, ` +
        `"${DEVICES.toLocaleString('en-US')} devices" shown ${median(fullCount).toFixed(0)} ms after navigation ` +
        `(median of ${LOADS}; runs ${firstRow.map((t) => t.toFixed(0)).join('/')} ms); ` +
        `long tasks during the last load: ${describe(loadTasks)}`,
    );
    console.log(
      `DOM rows rendered: ${await page.locator('tbody tr.device-row').count()} of ${DEVICES}`,
    );

    // 2. Long tasks while devices update, on the Devices page then the Monitor page.
    const targets = devices.slice(0, UPDATING);
    for (const [pageName, version] of [
      ['devices', '1.0.1'],
      ['monitor', '1.0.2'],
    ] as const) {
      const pkg = await addPackage(station, profile.id, version);
      started = performance.now();
      await inParallel(targets.length, (i) =>
        api.call('assignments.assign', { deviceId: targets[i]!.id, packageId: pkg.id }),
      );
      console.log(
        `assigned ${pkg.title} ${version} to ${targets.length} devices in ${secs(started)} s`,
      );
      await page.goto(`${station.uiUrl}#/${pageName}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForTimeout(1_500); // let the load settle; its tasks are not the stream's
      const from = await page.evaluate(() => performance.now());
      started = performance.now();
      const summary = await runSimulation({
        url: station.mqttUrl,
        tokens: targets.map((d) => d.accessToken),
        packageTypes: ['FIRMWARE'],
        chunkSize: CHUNK_BYTES,
        connectConcurrency: 100,
        installed: { fwTitle: 'CIM-168', fwVersion: version === '1.0.1' ? '1.0.0' : '1.0.1' },
        timeoutMs: 300_000,
      });
      await page.waitForTimeout(1_000); // the last batch reaches the page
      const to = await page.evaluate(() => performance.now());
      const tasks = await longTasks(page, from, to);
      const seconds = (to - from) / 1000;
      // The page really followed the stream: what it shows at the end.
      const shown =
        pageName === 'devices'
          ? `${await page.locator('tbody tr.device-row', { hasText: 'UPDATED' }).count()} of the visible rows show UPDATED`
          : `Monitor "Updated" count ${await page.locator('.segment', { hasText: 'Updated' }).locator('.segment-count').innerText()}`;
      console.log(
        `${pageName} page while ${summary.totals.updated}/${targets.length} devices updated ` +
          `(${secs(started)} s, ${(summary.totals.bytes / 1e6).toFixed(0)} MB served): ` +
          `${(tasks.length / seconds).toFixed(2)} long tasks/s over ${seconds.toFixed(1)} s; ${describe(tasks)}; ${shown}`,
      );
    }
    // The probe itself: a deliberate 120 ms task must be seen, or "none" above means nothing.
    const before = (await longTasks(page, 0, Infinity)).length;
    // Scheduled in the page's own event loop (a DevTools evaluate is not counted as a task).
    await page.evaluate(() => {
      setTimeout(() => {
        const t = performance.now();
        while (performance.now() - t < 120);
      }, 0);
    });
    await page.waitForTimeout(500);
    const seen = (await longTasks(page, 0, Infinity)).length - before;
    console.log(
      `long-task probe check: ${seen === 1 ? 'ok (a 120 ms task was seen)' : `FAILED (saw ${seen})`}`,
    );
    await context.close();
  } finally {
    await browser.close();
    await station.stop();
  }
}

async function addPackage(
  station: LocalStation,
  profileId: string,
  version: string,
): Promise<Package> {
  return uploadPackage(
    station.httpUrl,
    { title: 'CIM-168', version, profileId, type: 'FIRMWARE', fileName: `fw-${version}.bin` },
    new Uint8Array(crypto.randomBytes(PACKAGE_BYTES)),
    stationAuth(station),
  );
}

async function longTasks(page: Page, from: number, to: number): Promise<LongTask[]> {
  const all = await page.evaluate(
    () => (window as unknown as { __longTasks: LongTask[] }).__longTasks,
  );
  return all.filter((t) => t.start >= from && t.start <= to);
}

function describe(tasks: LongTask[]): string {
  if (tasks.length === 0) return 'none';
  const durations = tasks.map((t) => t.duration);
  return `${tasks.length} (max ${Math.max(...durations).toFixed(0)} ms, total ${durations.reduce((a, b) => a + b, 0).toFixed(0)} ms)`;
}

async function inParallel<T>(count: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL_CALLS, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function secs(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
