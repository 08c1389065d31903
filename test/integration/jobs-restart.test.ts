import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import type { Job, JobDetail } from '../../shared/api/entities';
import { packageAddArgs, stationArgs } from '../support/cli-args';
import {
  ensureBuilt,
  run,
  runJson,
  type RunningStation,
  startStationProcess,
} from '../support/cli-process';
import { freeLocalPort } from '../support/free-port';
import { stationClient } from '../support/station-client';
import { waitFor } from '../support/wait';

const DEVICES = 6;
const FIRMWARE = randomBytes(400_000);

describe('a station killed (SIGKILL) in the middle of a job', () => {
  let dir: string;
  let station: RunningStation | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'field-ota-restart-'));
  }, 180_000);
  afterAll(async () => {
    station?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('carries on after the restart: nothing lost, no device updated twice', async () => {
    const mqttPort = await freeLocalPort();
    const httpPort = await freeLocalPort();
    const args = stationArgs(path.join(dir, 'data'), { mqtt: mqttPort, http: httpPort, coap: 0 });
    station = await startStationProcess(args);
    const at = ['--station', station.httpUrl, '--data-dir', station.dataDir];
    await runJson(['profile', 'add', 'CIM-168', ...at]);
    const names = Array.from({ length: DEVICES }, (_, i) => `CIM-168-02-22-${90 + i}`);
    for (const [i, name] of names.entries()) {
      await runJson([
        'device',
        'add',
        '--name',
        name,
        '--profile',
        'CIM-168',
        '--token',
        `restart-token-${i}`,
        ...at,
      ]);
    }
    const file = path.join(dir, 'fw.bin');
    await writeFile(file, FIRMWARE);
    await runJson([...packageAddArgs({ file }), ...at]);
    const job = await runJson<Job>([
      'job',
      'create',
      '--package',
      'CIM-168@1.0.1',
      '--devices',
      names.join(','),
      '--concurrency',
      '2',
      '--retries',
      '0',
      '--timeout',
      '120',
      '--retry-delay',
      '30',
      ...at,
    ]);
    expect(job.counts).toMatchObject({ total: DEVICES, active: 2, queued: DEVICES - 2 });
    expect(job.policy).toEqual({
      concurrency: 2,
      timeoutSec: 120,
      retries: 0,
      retryDelaySec: 30,
      haltAfterFailures: null,
      haltAfterPercent: null,
    });

    // Small chunks and one device at a time per slot: the kill lands mid-job.
    const simulation = runSimulation({
      url: `mqtt://127.0.0.1:${mqttPort}`,
      tokens: names.map((_, i) => `restart-token-${i}`),
      chunkSize: 4096,
      packageTypes: ['FIRMWARE'],
      maxReconnects: 50,
      timeoutMs: 90_000,
    });
    const client = () => stationClient(station ?? { httpUrl: '', dataDir: '' });
    const detail = () => client().call('jobs.get', { id: job.id });
    const before = await waitFor(
      async () => {
        const d = await detail();
        return d.counts.updated >= 2 && d;
      },
      { timeoutMs: 60_000 },
    );
    expect(before.counts.updated).toBeLessThan(DEVICES);

    station.child.kill('SIGKILL');
    await station.exited;
    station = await startStationProcess(args);

    const summary = await simulation;
    expect(summary.devices.map((d) => d.state)).toEqual(Array(DEVICES).fill('UPDATED'));
    // Each device fetched the image once: those cut off mid-download resumed, none started over.
    expect(summary.devices.map((d) => d.bytes)).toEqual(Array(DEVICES).fill(FIRMWARE.length));

    const done: JobDetail = await waitFor(
      async () => {
        const d = await detail();
        return d.status === 'COMPLETED' && d;
      },
      { timeoutMs: 30_000 },
    );
    expect(done.counts).toMatchObject({ total: DEVICES, updated: DEVICES, failed: 0 });
    for (const e of done.executions) {
      expect(e.attempts).toBe(1);
      expect(e.history.filter((h) => h.state === 'UPDATED')).toHaveLength(1);
      expect(e.history.filter((h) => h.state === 'INITIATED')).toHaveLength(1);
    }
    const devices = await client().call('devices.list', {});
    expect(devices.map((d) => d.firmware.currentVersion)).toEqual(Array(DEVICES).fill('1.0.1'));

    const report = await run(['job', 'report', job.id, '--format', 'csv', ...at]);
    expect(report.code).toBe(0);
    const rows = report.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'device,start,end,durationSec,bytes,attempts,result,firstError,firstErrorBy,lastError,lastErrorBy,transport',
    );
    expect(rows.slice(1).map((r) => r.split(',')[0])).toEqual(names);
    expect(rows.slice(1).every((r) => r.endsWith(`,${FIRMWARE.length},1,UPDATED,,,,,mqtt`))).toBe(
      true,
    );
  }, 150_000);
});
