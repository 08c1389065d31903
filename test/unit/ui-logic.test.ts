import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { parseCsv, readDeviceCsv } from '../../renderer/src/lib/csv';
import { executionFigures, stallAdvice } from '../../renderer/src/lib/execution-progress';
import { formatAgo, formatBytes, formatDuration } from '../../renderer/src/lib/format';
import {
  filterDevices,
  NO_FILTER,
  shownUpdate,
  sortDevices,
} from '../../renderer/src/pages/devices/device-filter';
import { summariseJobs } from '../../renderer/src/state/job-summary';
import { FLUSH_INTERVAL_MS, StationStore } from '../../renderer/src/state/station-store';
import type { Device, Execution, Job } from '../../shared/api/entities';
import { EMPTY_SLOT } from '../support/empty-slot';
import { scriptedTransport } from './ui-scripted-transport';

function device(name: string, part: Partial<Device> = {}): Device {
  return {
    id: `id-${name}`,
    name,
    label: '',
    profileId: 'p1',
    profileName: 'CIM-168',
    accessToken: `t-${name}`,
    online: false,
    lastSeenAt: null,
    lastTransport: null,
    createdAt: 0,
    firmware: EMPTY_SLOT,
    software: EMPTY_SLOT,
    syncStatus: 'LOCAL',
    ...part,
  };
}

function execution(part: Partial<Execution> = {}): Execution {
  return {
    id: 'e1',
    deviceId: 'd1',
    deviceName: 'CIM-168-02-22-90',
    packageId: 'k1',
    type: 'FIRMWARE',
    packageTitle: 'CIM-168',
    packageVersion: '1.0.1',
    size: 1_000_000,
    state: 'QUEUED',
    error: null,
    bytesServed: 0,
    attempts: 1,
    jobId: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    finishedAt: null,
    history: [{ state: 'QUEUED', at: 1_000, detail: null }],
    attemptLog: [],
    ...part,
  };
}

describe('device CSV', () => {
  it('reads quoted fields, doubled quotes and CRLF', () => {
    expect(parseCsv('a,"b, c","say ""hi"""\r\nd,e\n')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['d', 'e'],
    ]);
  });

  it('skips the header and blank lines, reports missing names, profiles and repeats by line', () => {
    const { rows, problems } = readDeviceCsv(
      'name,profile,label,token\nCIM-1,CIM-168,Roof,tok1\n\n,CIM-168\nCIM-2,\nCIM-1,CIM-168\nCIM-3,CIM-168,,,extra\n',
    );
    expect(rows).toEqual([
      { line: 2, name: 'CIM-1', profile: 'CIM-168', label: 'Roof', token: 'tok1' },
    ]);
    expect(problems).toEqual([
      { line: 4, message: 'the device name is missing' },
      { line: 5, message: 'CIM-2: the device profile is missing' },
      { line: 6, message: 'CIM-1 is already on line 2' },
      { line: 7, message: 'CIM-3: more than 4 columns' },
    ]);
  });
});

describe('device filters', () => {
  const updating = device('CIM-168-02-22-91', {
    online: true,
    firmware: {
      ...EMPTY_SLOT,
      state: 'DOWNLOADING',
      currentVersion: '1.0.0',
      assignedVersion: '1.0.1',
    },
  });
  const done = device('CIM-168-02-22-90', { software: { ...EMPTY_SLOT, state: 'UPDATED' } });
  const idle = device('CIM-200-01', {
    profileId: 'p2',
    profileName: 'CIM-200',
    label: 'Roof east',
  });
  const all = [updating, done, idle];

  it('search matches every word in name, label, profile or versions', () => {
    expect(filterDevices(all, { ...NO_FILTER, query: 'roof 200' })).toEqual([idle]);
    expect(filterDevices(all, { ...NO_FILTER, query: '1.0.1' })).toEqual([updating]);
  });

  it('filters by profile, connection and state (either slot, "active" and "none")', () => {
    expect(filterDevices(all, { ...NO_FILTER, profileId: 'p2' })).toEqual([idle]);
    expect(filterDevices(all, { ...NO_FILTER, online: 'online' })).toEqual([updating]);
    expect(filterDevices(all, { ...NO_FILTER, state: 'active' })).toEqual([updating]);
    expect(filterDevices(all, { ...NO_FILTER, state: 'UPDATED' })).toEqual([done]);
    expect(filterDevices(all, { ...NO_FILTER, state: 'none' })).toEqual([idle]);
  });

  it('shows the update in flight first, and sorts names numerically', () => {
    const both = device('x', {
      firmware: { ...EMPTY_SLOT, state: 'UPDATED' },
      software: { ...EMPTY_SLOT, state: 'UPDATING' },
    });
    expect(shownUpdate(both)?.type).toBe('SOFTWARE');
    const names = sortDevices([device('dev-10'), device('dev-9'), device('dev-100')], {
      key: 'name',
      direction: 'ascending',
    }).map((d) => d.name);
    expect(names).toEqual(['dev-9', 'dev-10', 'dev-100']);
  });
});

describe('update figures', () => {
  it('computes byte progress, average download speed and ETA while downloading', () => {
    const e = execution({
      state: 'DOWNLOADING',
      bytesServed: 250_000,
      updatedAt: 3_000,
      history: [
        { state: 'QUEUED', at: 1_000, detail: null },
        { state: 'DOWNLOADING', at: 2_000, detail: null },
      ],
    });
    const figures = executionFigures(e, 4_000);
    expect(figures.percent).toBe(25);
    expect(figures.bytesPerSecond).toBe(250_000);
    expect(figures.etaMs).toBe(3_000);
    expect(figures.elapsedMs).toBe(3_000);
  });

  it('freezes the figures of a finished update', () => {
    const e = execution({
      state: 'UPDATED',
      bytesServed: 1_000_000,
      finishedAt: 9_000,
      updatedAt: 9_000,
    });
    const figures = executionFigures(e, 99_000);
    expect(figures).toMatchObject({ percent: 100, elapsedMs: 8_000, etaMs: null });
  });

  it('calls out an update without news for a minute, saying what to do', () => {
    const e = execution({ state: 'DOWNLOADING', bytesServed: 420_000, updatedAt: 10_000 });
    expect(executionFigures(e, 69_000).stalledMs).toBeNull();
    const figures = executionFigures(e, 100_000);
    expect(figures.stalledMs).toBe(90_000);
    expect(stallAdvice(e, 90_000)).toBe(
      'Device CIM-168-02-22-90 stopped downloading at 42 % 1 min 30 s ago. Check that it is powered and connected (a device normally resumes when it reconnects), or assign the package again.',
    );
    expect(
      executionFigures(execution({ state: 'UPDATED', updatedAt: 10_000 }), 999_000).stalledMs,
    ).toBeNull();
  });

  it('sums the running jobs for the header from their own figures; paused jobs apart', () => {
    const running = {
      id: 'j1',
      status: 'RUNNING',
      policy: { retries: 1, timeoutSec: 600 },
      counts: { total: 4, queued: 1, active: 1, updated: 1, failed: 1, retrying: 0, canceled: 0 },
      bytesServed: 2_500_000,
      bytesTotal: 4_000_000,
      startedAt: 1_000,
      etaSeconds: null,
    } as unknown as Job;
    const paused = {
      ...running,
      id: 'j2',
      status: 'PAUSED',
      counts: { ...running.counts, queued: 3, active: 0, updated: 0, failed: 0 },
    } as Job;
    const jobs = summariseJobs([running, paused], new Map(), 2_000);
    expect(jobs).toEqual({
      active: 2,
      paused: 3,
      pausedJobs: 1,
      failed: 1,
      bytesServed: 2_500_000,
      totalBytes: 4_000_000,
      percent: 62,
    });
  });
});

describe('formats', () => {
  it('says sizes, durations and ages the way people read them', () => {
    expect(formatBytes(3_735_576)).toBe('3.74 MB');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(null)).toBe('—');
    expect(formatAgo(null, 0)).toBe('never');
    expect(formatAgo(0, 5 * 60_000)).toBe('5 min ago');
  });
});

describe('the station store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns a burst of 1000 device events into one React update per flush interval', async () => {
    const fleet = Array.from({ length: 1000 }, (_, i) => device(`dev-${i}`));
    const script = scriptedTransport({ 'devices.list': fleet });
    const store = new StationStore(script.transport);
    script.open();
    await vi.waitFor(() => expect(store.getSnapshot().loaded).toBe(true));
    let renders = 0;
    store.subscribe(() => renders++);
    for (const d of fleet) script.push({ type: 'device.changed', payload: { ...d, online: true } });
    expect(renders).toBe(0);
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    expect(renders).toBe(1);
    expect(store.getSnapshot().onlineDevices).toBe(1000);
    store.dispose();
  });

  it('reports updates that finish while watching, once, and never rolls progress back', async () => {
    const script = scriptedTransport();
    const store = new StationStore(script.transport);
    script.open();
    await vi.waitFor(() => expect(store.getSnapshot().loaded).toBe(true));
    const finished: string[] = [];
    store.onFinished((e) => finished.push(`${e.deviceName} ${e.state}`));
    script.push({
      type: 'executions.changed',
      payload: [execution({ state: 'DOWNLOADING', updatedAt: 2_000 })],
    });
    script.push({
      type: 'executions.changed',
      payload: [execution({ state: 'UPDATED', updatedAt: 3_000 })],
    });
    script.push({
      type: 'executions.changed',
      payload: [execution({ state: 'DOWNLOADING', updatedAt: 2_500 })],
    });
    script.push({
      type: 'executions.changed',
      payload: [execution({ state: 'UPDATED', updatedAt: 3_000 })],
    });
    await vi.advanceTimersByTimeAsync(FLUSH_INTERVAL_MS);
    expect(finished).toEqual(['CIM-168-02-22-90 UPDATED']);
    expect(store.getSnapshot().executions.map((e) => e.state)).toEqual(['UPDATED']);
    store.dispose();
  });
});
