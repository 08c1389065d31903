import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  cancelEffect,
  describePolicy,
  jobFigures,
  jobTargetText,
  orderJobs,
} from '../../renderer/src/lib/job-figures';
import { describeActivity } from '../../renderer/src/lib/sync-activity';
import { DEFAULT_POLICY_FORM, readPolicyForm } from '../../renderer/src/pages/monitor/job-form';
import {
  conflictRows,
  describePush,
  pendingTotal,
  pushNeedsAttention,
} from '../../renderer/src/pages/sync/sync-words';
import { FLUSH_INTERVAL_MS, StationStore } from '../../renderer/src/state/station-store';
import type {
  CloudLogEntry,
  CloudStatus,
  Execution,
  Job,
  PushSummary,
} from '../../shared/api/entities';
import { JobPolicyInput } from '../../shared/api/operations';
import { scriptedTransport } from './ui-scripted-transport';

function job(part: Partial<Job> = {}): Job {
  return {
    id: 'j1',
    packageId: 'k1',
    type: 'FIRMWARE',
    packageTitle: 'CIM-168',
    packageVersion: '1.0.1',
    target: { kind: 'DEVICES', deviceIds: ['d1', 'd2', 'd3', 'd4'] },
    policy: {
      concurrency: 10,
      timeoutSec: 600,
      retries: 1,
      retryDelaySec: 2,
      haltAfterFailures: null,
      haltAfterPercent: null,
    },
    startAt: 0,
    status: 'RUNNING',
    statusReason: null,
    createdAt: 1_000,
    startedAt: 1_000,
    finishedAt: null,
    counts: { total: 4, queued: 1, active: 2, updated: 1, failed: 0, retrying: 0, canceled: 0 },
    bytesServed: 0,
    bytesTotal: 4_000_000,
    etaSeconds: null,
    ...part,
  };
}

function execution(id: string, state: Execution['state'], bytesServed: number): Execution {
  return {
    id,
    deviceId: `d-${id}`,
    deviceName: `CIM-168-02-22-${id}`,
    packageId: 'k1',
    type: 'FIRMWARE',
    packageTitle: 'CIM-168',
    packageVersion: '1.0.1',
    size: 1_000_000,
    state,
    error: null,
    bytesServed,
    attempts: 1,
    jobId: 'j1',
    createdAt: 1_000,
    updatedAt: 2_000,
    finishedAt: null,
    history: [],
    attemptLog: [],
  };
}

describe('job figures', () => {
  it('counts an updated device as fully served even before its byte count arrives', () => {
    const f = jobFigures(job({ bytesServed: 0 }), undefined, 0);
    expect(f.bytesServed).toBe(1_000_000);
    expect(f.percent).toBe(25);
    expect(f.done).toBe(1);
  });

  it('follows the bytes of its updates between two job events, with the ETA from the rate', () => {
    const executions = [
      execution('1', 'UPDATED', 0),
      { ...execution('2', 'DOWNLOADING', 500_000), updatedAt: 10_500 },
      { ...execution('3', 'DOWNLOADING', 500_000), updatedAt: 10_500 },
      execution('4', 'QUEUED', 0),
    ];
    // 2 MB in 10 s since the start: 200 kB/s for the 2 MB left.
    const f = jobFigures(job({ bytesServed: 1_200_000 }), executions, 11_000);
    expect(f.bytesServed).toBe(2_000_000);
    expect(f.percent).toBe(50);
    expect(f.etaSeconds).toBe(10);
    // A job event fresher than the updates wins too; never more than the total.
    expect(jobFigures(job({ bytesServed: 9_000_000 }), executions, 11_000).bytesServed).toBe(
      4_000_000,
    );
  });

  it('waits out the time-out of a silent device in the ETA, and never goes back on a retry', () => {
    const silent = { ...execution('2', 'INITIATED', 0), updatedAt: 5_000 };
    const retried = {
      ...execution('3', 'QUEUED', 0),
      attempts: 2,
      attemptLog: [
        {
          number: 1,
          startedAt: 1_000,
          endedAt: 4_000,
          outcome: 'FAILED' as const,
          error: 'Checksum mismatch',
          reportedBy: 'DEVICE' as const,
          bytesServed: 600_000,
          note: null,
        },
      ],
    };
    const executions = [
      execution('1', 'UPDATED', 1_000_000),
      silent,
      retried,
      execution('4', 'UPDATED', 1_000_000),
    ];
    const f = jobFigures(job({ bytesServed: 0 }), executions, 11_000);
    // The retry restarted at 0 B: its furthest attempt (600 kB) still counts.
    expect(f.bytesServed).toBe(2_600_000);
    // 600 s time-out from the silent device's last news at 5 s, now 11 s: 594 s left.
    expect(f.etaSeconds).toBe(594);
  });

  it('gives no ETA unless the job runs', () => {
    const paused = job({ status: 'PAUSED', etaSeconds: 30, bytesServed: 2_000_000 });
    expect(jobFigures(paused, undefined, 11_000).etaSeconds).toBeNull();
  });

  it('says the target and the policy in words', () => {
    expect(jobTargetText(job())).toBe('4 devices');
    expect(
      jobTargetText(
        job({ target: { kind: 'PROFILE', profileId: 'p', profileName: 'CIM-168', deviceIds: [] } }),
      ),
    ).toBe('profile CIM-168 · 4 devices');
    expect(
      describePolicy({
        concurrency: 1,
        timeoutSec: 90,
        retries: 0,
        retryDelaySec: 2,
        haltAfterFailures: 2,
        haltAfterPercent: 10,
      }),
    ).toBe('1 at once · time-out 1 min 30 s · no retry · pause after 2 failed or 10 % failed');
    expect(
      describePolicy({
        concurrency: 0,
        timeoutSec: 0,
        retries: 2,
        retryDelaySec: 90,
        haltAfterFailures: null,
        haltAfterPercent: null,
      }),
    ).toBe('all at once · no time-out · 2 retries after 1 min 30 s');
  });

  it('counts what cancelling un-assigns: not started or still downloading', () => {
    const effect = cancelEffect([
      execution('1', 'QUEUED', 0),
      execution('2', 'INITIATED', 0),
      execution('3', 'DOWNLOADING', 10),
      execution('4', 'VERIFIED', 1_000_000),
      execution('5', 'UPDATED', 1_000_000),
      execution('6', 'FAILED', 10),
    ]);
    expect(effect).toEqual({ unassigned: 3, installing: 1, finished: 2 });
  });

  it('lists open jobs first, newest first within each group', () => {
    const order = orderJobs([
      job({ id: 'old-done', status: 'COMPLETED', createdAt: 1 }),
      job({ id: 'new-done', status: 'CANCELED', createdAt: 5 }),
      job({ id: 'old-open', status: 'PAUSED', createdAt: 2 }),
      job({ id: 'new-open', status: 'SCHEDULED', createdAt: 4 }),
    ]).map((j) => j.id);
    expect(order).toEqual(['new-open', 'old-open', 'new-done', 'old-done']);
  });
});

describe('the New job policy fields', () => {
  it('reads the defaults as the station would', () => {
    expect(readPolicyForm(DEFAULT_POLICY_FORM, 0)).toEqual({
      policy: JobPolicyInput.parse({}),
      startAt: undefined,
    });
  });

  it('says what is wrong with each field, in words', () => {
    const read = readPolicyForm(
      {
        concurrency: '',
        timeoutSec: '1.5',
        retries: '21',
        retryDelaySec: '0',
        haltAfterFailures: '0',
        haltAfterPercent: 'abc',
        startAt: '2000-01-01T10:00',
      },
      Date.now(),
    );
    expect(read).toEqual({
      errors: {
        concurrency: 'is required',
        timeoutSec: 'must be a whole number from 0 to 604,800',
        retries: 'must be from 0 to 20',
        retryDelaySec: 'must be from 1 to 86,400',
        haltAfterFailures: 'must be from 1 to 100,000',
        haltAfterPercent: 'must be a number from 0.1 to 100',
        startAt: 'is in the past: leave it empty to start now',
      },
    });
  });

  it('takes a start time in local time', () => {
    const read = readPolicyForm(
      { ...DEFAULT_POLICY_FORM, startAt: '2099-03-04T05:06', haltAfterPercent: '12.5' },
      0,
    );
    expect(read).toMatchObject({
      startAt: new Date(2099, 2, 4, 5, 6).getTime(),
      policy: { haltAfterPercent: 12.5 },
    });
  });
});

describe('sync words', () => {
  it('lines up both sides of a conflict, marking what differs', () => {
    expect(
      conflictRows({
        local: { device: 'd1', firmware: 'FW 1' },
        cloud: { device: 'd1', firmware: 'FW 2', version: 2, extra: null },
      }),
    ).toEqual([
      { field: 'Device', local: 'd1', cloud: 'd1', differs: false },
      { field: 'Firmware', local: 'FW 1', cloud: 'FW 2', differs: true },
      { field: 'Version', local: '—', cloud: '2', differs: true },
      { field: 'Extra', local: '—', cloud: 'none', differs: true },
    ]);
  });

  const push = (part: Partial<PushSummary>): PushSummary => ({
    pushed: {
      profiles: 0,
      devices: 0,
      packages: 1,
      assignments: 2,
      settled: 0,
      telemetryPoints: 120,
    },
    remaining: 0,
    conflicts: 0,
    failed: 0,
    error: null,
    finishedAt: 0,
    ...part,
  });

  it('sums up a push, and only conflicts or refusals ask for attention', () => {
    expect(describePush(push({}))).toBe('Sent 1 package, 2 assignments, 120 telemetry points.');
    expect(describePush(push({ conflicts: 1, failed: 2 }))).toBe(
      'Sent 1 package, 2 assignments, 120 telemetry points; 1 conflict to look at below, 2 changes refused by the cloud (see Errors).',
    );
    expect(pushNeedsAttention(push({ conflicts: 1 }))).toBe(true);
    // Out of reach is normal on site.
    expect(pushNeedsAttention(push({ error: 'The cloud is not reachable' }))).toBe(false);
  });

  it('shows a bar once the total is known, the count so far before', () => {
    expect(
      describeActivity({ kind: 'PULL', phase: 'devices', done: 12, total: 40, unit: 'ITEMS' }),
    ).toEqual({ text: 'Pulling devices: 12 of 40', percent: 30 });
    expect(
      describeActivity({ kind: 'PUSH', phase: 'outbox', done: 3, total: null, unit: 'ITEMS' }),
    ).toEqual({ text: 'Pushing outbox: 3 so far', percent: null });
    expect(
      describeActivity({
        kind: 'PULL',
        phase: 'binary CIM-168 1.0.1',
        done: 3_600_000,
        total: 4_000_000,
        unit: 'BYTES',
      }),
    ).toEqual({ text: 'Pulling binary CIM-168 1.0.1: 3.60 MB of 4.00 MB', percent: 90 });
    expect(
      pendingTotal({
        profiles: 1,
        devices: 2,
        packages: 3,
        assignments: 4,
        other: 5,
        telemetryPoints: 1000,
      }),
    ).toBe(15);
  });
});

function cloudStatus(part: Partial<CloudStatus> = {}): CloudStatus {
  return {
    url: 'http://127.0.0.1:1',
    username: 'tenant',
    connection: 'ONLINE',
    tokenStorage: 'memory',
    autoSync: false,
    activity: null,
    lastPullAt: null,
    lastPushAt: null,
    lastCheckAt: null,
    nextAttemptAt: null,
    lastError: null,
    pending: { profiles: 0, devices: 0, packages: 0, assignments: 0, other: 0, telemetryPoints: 0 },
    conflicts: 0,
    failed: 0,
    ...part,
  };
}

describe('the station store with jobs and the cloud', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads jobs, then merges jobs.changed events in the next batch', async () => {
    const script = scriptedTransport({ 'jobs.list': [job({ id: 'a', createdAt: 1 })] });
    const store = new StationStore(script.transport);
    script.open();
    await vi.waitFor(() => expect(store.getSnapshot().loaded).toBe(true));
    expect(store.getSnapshot().jobs.map((j) => j.id)).toEqual(['a']);
    script.push({
      type: 'jobs.changed',
      payload: [job({ id: 'a', createdAt: 1, status: 'PAUSED' }), job({ id: 'b', createdAt: 2 })],
    });
    expect(store.getSnapshot().jobs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    const list = store.getSnapshot().jobs;
    expect(list.map((j) => `${j.id} ${j.status}`)).toEqual(['b RUNNING', 'a PAUSED']);
    store.dispose();
  });

  it('tells of jobs that end or pause themselves, live only', async () => {
    const script = scriptedTransport({ 'jobs.list': [job({ id: 'a' }), job({ id: 'b' })] });
    const store = new StationStore(script.transport);
    script.open();
    await vi.waitFor(() => expect(store.getSnapshot().loaded).toBe(true));
    const told: string[] = [];
    store.onJobNotice((j) => told.push(`${j.id} ${j.status}`));
    script.push({
      type: 'jobs.changed',
      payload: [
        job({ id: 'a', status: 'PAUSED', statusReason: 'Paused by the technician' }),
        job({ id: 'b', status: 'PAUSED', statusReason: 'Auto-paused: 2 of 4 devices failed' }),
      ],
    });
    script.push({ type: 'jobs.changed', payload: [job({ id: 'a', status: 'COMPLETED' })] });
    // The same status again is no news.
    script.push({ type: 'jobs.changed', payload: [job({ id: 'a', status: 'COMPLETED' })] });
    expect(told).toEqual(['b PAUSED', 'a COMPLETED']);
    store.dispose();
  });

  it('keeps the sync log newest first, each line once', async () => {
    const line = (id: number): CloudLogEntry => ({ id, at: id, level: 'info', message: `m${id}` });
    const script = scriptedTransport({ 'cloud.log': [line(1), line(2)] });
    const store = new StationStore(script.transport);
    script.open();
    await vi.waitFor(() => expect(store.getSnapshot().loaded).toBe(true));
    script.push({ type: 'cloud.log', payload: line(3) });
    script.push({ type: 'cloud.log', payload: line(3) });
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    expect(store.getSnapshot().cloudLog.map((l) => l.id)).toEqual([3, 2, 1]);
    store.dispose();
  });

  it('asks for the cloud status again after local changes, once per burst, only with a cloud', async () => {
    const script = scriptedTransport({ 'cloud.status': cloudStatus() });
    const store = new StationStore(script.transport);
    script.open();
    await vi.waitFor(() => expect(store.getSnapshot().loaded).toBe(true));
    const before = script.calls.filter((c) => c === 'cloud.status').length;
    script.answers['cloud.status'] = cloudStatus({
      pending: { ...cloudStatus().pending, assignments: 3 },
    });
    for (let i = 0; i < 3; i++) script.push({ type: 'package.removed', payload: { id: `p${i}` } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(script.calls.filter((c) => c === 'cloud.status').length).toBe(before + 1);
    expect(store.getSnapshot().cloud?.pending.assignments).toBe(3);
    store.dispose();

    // No cloud ever set up: nothing to count, nothing asked.
    const none = scriptedTransport({
      'cloud.status': cloudStatus({ url: null, connection: 'SIGNED_OUT' }),
    });
    const quiet = new StationStore(none.transport);
    none.open();
    await vi.waitFor(() => expect(quiet.getSnapshot().loaded).toBe(true));
    none.push({ type: 'package.removed', payload: { id: 'p' } });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(none.calls.filter((c) => c === 'cloud.status')).toHaveLength(1);
    quiet.dispose();
  });
});
