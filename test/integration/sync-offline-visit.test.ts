import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import { DATABASE_FILE_NAME } from '../../electron/core/storage/database';
import { compareSiteWithCloud } from '../cloud-emulator/support/compare-site';
import { pushUntilDone, seedAndPull, workOffline } from '../cloud-emulator/support/site-visit';
import { startSyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';

describe('an offline site visit, synced when back online', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  it('gives the cloud the package, the assignments and the telemetry with original timestamps', async () => {
    const fx = await startFixture();
    const tokens = await seedAndPull(fx, 3);
    await fx.cloud.goOffline();
    const visit = await workOffline(fx, tokens, { historyPoints: 30 });

    // Offline: "Sync now" answers at once, and everything stays queued.
    const offline = await fx.call('cloud.push', {});
    expect(offline.error).toMatch(/not reachable/);
    const queued = await fx.call('cloud.status', {});
    expect(queued.connection).toBe('OFFLINE');
    expect(queued.pending).toMatchObject({ packages: 1, devices: 1, assignments: 4 });
    expect(queued.pending.telemetryPoints).toBeGreaterThan(4 * 30);

    await fx.cloud.goOnline();
    const summary = await fx.call('cloud.push', {});
    expect(summary.error).toBeNull();
    expect(summary.pushed).toMatchObject({ packages: 1, devices: 1, assignments: 4 });
    expect(summary.conflicts + summary.failed + summary.remaining).toBe(0);

    const cloudPackage = [...fx.cloud.state.packages.values()].find((p) => p.version === '1.0.1');
    expect(cloudPackage?.data?.equals(visit.firmware)).toBe(true);
    expect(cloudPackage?.checksum).toBe(checksumOfBuffer('SHA256', visit.firmware));
    for (const device of fx.cloud.state.devices.values())
      expect(device.firmwareId).toBe(cloudPackage?.id);
    const added = fx.cloud.state.deviceByName('CIM-168-NEW');
    expect(fx.cloud.state.credentialsOf(added?.id ?? '').token).toBe('SITE-TOKEN-NEW');
    // The fw_state history recorded on site is the cloud's, at the devices' own times.
    const localId = visit.devices.find((d) => d.name === 'CIM-168-NEW')?.id ?? '';
    const db = new Database(path.join(fx.site.dataDir, DATABASE_FILE_NAME), { readonly: true });
    const localHistory = db
      .prepare(
        "SELECT ts, value FROM telemetry WHERE device_id = ? AND key = 'fw_state' ORDER BY ts",
      )
      .all(localId) as { ts: number; value: string }[];
    db.close();
    const cloudHistory = fx.cloud.state
      .points(added?.id ?? '')
      .filter((p) => p.key === 'fw_state' && p.origin === 'device');
    expect(cloudHistory.map((p) => [p.ts, p.value])).toEqual(
      localHistory.map((r) => [r.ts, JSON.parse(r.value)]),
    );
    expect(cloudHistory.map((p) => p.value)).toEqual(
      expect.arrayContaining(['QUEUED', 'DOWNLOADING', 'UPDATED']),
    );
    expect(cloudHistory.at(-1)?.value).toBe('UPDATED');

    // Saving the assignment made the cloud write QUEUED/INITIATED at push time; the station's
    // restated outcome comes after them, so the cloud's latest state is the site's: UPDATED.
    for (const device of fx.cloud.state.devices.values()) {
      const states = fx.cloud.state.points(device.id).filter((p) => p.key === 'fw_state');
      const serverInitiated = states
        .filter((p) => p.origin === 'server' && p.value === 'INITIATED')
        .at(-1);
      expect(states.at(-1)).toMatchObject({ value: 'UPDATED', origin: 'device' });
      expect(states.at(-1)!.ts).toBeGreaterThan(serverInitiated!.ts);
      expect(
        fx.cloud.state
          .points(device.id)
          .filter((p) => p.key === 'current_fw_version')
          .at(-1)?.value,
      ).toBe('1.0.1');
    }

    const comparison = compareSiteWithCloud(fx.site.dataDir, fx.cloud.state);
    expect(comparison.lost).toEqual([]);
    expect(comparison.duplicates).toEqual([]);
    expect(comparison.outboxLeft).toBe(0);
    expect(comparison.checked.telemetryPoints).toBeGreaterThan(4 * 30);
    const after = await fx.call('cloud.status', {});
    expect(after.pending).toEqual({
      profiles: 0,
      devices: 0,
      packages: 0,
      assignments: 0,
      other: 0,
      telemetryPoints: 0,
    });
    expect(after.lastPushAt).not.toBeNull();
    // A second push has nothing to send.
    const again = await fx.call('cloud.push', {});
    expect(again.pushed).toEqual({
      profiles: 0,
      devices: 0,
      packages: 0,
      assignments: 0,
      settled: 0,
      telemetryPoints: 0,
    });
  });

  it('loses and duplicates nothing with faults injected at random points', async () => {
    const fx = await startFixture();
    const tokens = await seedAndPull(fx, 3);
    await fx.cloud.goOffline();
    await workOffline(fx, tokens, { historyPoints: 40 });
    await fx.cloud.goOnline();
    fx.cloud.faults.setRandom({ rate: 0.3, seed: 42 });
    const rounds = await pushUntilDone(fx, 40);
    fx.cloud.faults.clear();
    const stats = fx.cloud.stats();
    const comparison = compareSiteWithCloud(fx.site.dataDir, fx.cloud.state);
    expect(stats.faultsInjected).toBeGreaterThan(5);
    expect(comparison.lost).toEqual([]);
    expect(comparison.duplicates).toEqual([]);
    expect(comparison.outboxLeft).toBe(0);
    expect(rounds).toBeGreaterThanOrEqual(1);
  });
});
