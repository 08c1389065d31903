import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { FileSecretStore } from '../../electron/core/sync/secret-store';
import { type CloudEmulator, startCloudEmulator } from '../cloud-emulator/emulator';
import { compareSiteWithCloud } from '../cloud-emulator/support/compare-site';
import { pushUntilDone, seedAndPull, workOffline } from '../cloud-emulator/support/site-visit';
import { startSyncFixture } from '../cloud-emulator/support/sync-fixture';

const CHILD = path.join(__dirname, '../cloud-emulator/support/push-child.ts');

/** Runs the push in a child station and SIGKILLs it when the cloud has seen `killAt` more requests. */
function pushAndKill(
  cloud: CloudEmulator,
  dataDir: string,
  killAt: number,
): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the child station did not finish within 20 s'));
    }, 20_000);
    cloud.onRequest = () => {
      seen += 1;
      if (seen === killAt) child.kill('SIGKILL');
    };
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      cloud.onRequest = undefined;
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`the child station failed (${code}): ${stderr}`));
    });
  });
}

describe('the station killed (SIGKILL) in the middle of a push', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(
    'loses and duplicates nothing: the next start continues where it stopped',
    { timeout: 90_000 },
    async () => {
      const cloud = await startCloudEmulator({ delayMs: 15 });
      cleanups.push(() => cloud.close());
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-killed-'));
      cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const secrets = new FileSecretStore(path.join(dataDir, 'cloud-session.json'));
      // On site: pull, go offline, work; then the station stops and the uplink returns.
      const fx = await startSyncFixture({
        cloudInstance: cloud,
        station: { dataDir, secretStore: secrets },
      });
      const tokens = await seedAndPull(fx, 3);
      await cloud.goOffline();
      await workOffline(fx, tokens, { historyPoints: 60 });
      await fx.site.station.close();
      await cloud.goOnline();
      // Every request is held a little, so the kills land inside the push.
      cloud.faults.setRandom({ rate: 1, kinds: ['delay'], seed: 7 });

      const outcomes: string[] = [];
      for (const killAt of [3, 5, 9, 14]) outcomes.push(await pushAndKill(cloud, dataDir, killAt));
      expect(outcomes.filter((o) => o === 'killed').length).toBeGreaterThanOrEqual(3);
      const midway = compareSiteWithCloud(dataDir, cloud.state);
      expect(midway.duplicates).toEqual([]);

      // A last start pushes the rest.
      cloud.faults.clear();
      const restarted = await startSyncFixture({
        cloudInstance: cloud,
        // Retention would remove what the cloud has before the comparison below reads it.
        station: { dataDir, secretStore: secrets, telemetryRetention: { intervalMs: 3_600_000 } },
      });
      cleanups.push(() => restarted.site.station.close());
      expect((await restarted.call('cloud.status', {})).connection).not.toBe('SIGNED_OUT');
      await pushUntilDone(restarted, 10);
      const comparison = compareSiteWithCloud(dataDir, cloud.state);
      expect(comparison.lost).toEqual([]);
      expect(comparison.duplicates).toEqual([]);
      expect(comparison.outboxLeft).toBe(0);
    },
  );
});
