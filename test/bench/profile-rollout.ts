/**
 * Benchmark: a device profile's firmware for a fleet. In one process against a real station (a
 * temporary SQLite file): the fleet list and a device's package resolution (its own, else its
 * profile's) for `devices` devices, half of them with a package of their own; then assigning the
 * profile's firmware (one job for the followers) and un-assigning it. Figures printed, never
 * asserted. Run: npx tsx test/bench/profile-rollout.ts [devices]
 */
import fs from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';

import { DeviceRepository } from '../../electron/core/repositories/devices';
import { startStation } from '../../electron/core/station';
import { openDatabase } from '../../electron/core/storage/database';
import { MIGRATIONS } from '../../electron/core/storage/migrations';
import { PackageMeta } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';

const DEVICES = Number(process.argv[2] ?? 10_000);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
}

async function main(): Promise<void> {
  console.log(
    `Profile rollout: ${DEVICES} devices; Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`,
  );
  const dataDir = fs.mkdtempSync(path.join(tmpdir(), 'field-ota-bench-profile-'));
  const station = await startStation({ dataDir, mqttPort: 0 });
  try {
    const api = station.api;
    const profile = await api['profiles.add'](parseArgs('profiles.add', { name: 'CIM-168' }));
    const pkg = (version: string) =>
      station.importPackage(
        PackageMeta.parse({
          title: 'CIM-168',
          version,
          type: 'FIRMWARE',
          fileName: 'fw.bin',
          profileId: profile.id,
        }),
        Readable.from([Buffer.alloc(64 * 1024, version)]),
      );
    const own = await pkg('1.0.1');
    const fleet = await pkg('2.0.0');
    const added = await timed(async () => {
      const ids: string[] = [];
      for (let i = 0; i < DEVICES; i++) {
        const device = await api['devices.add'](
          parseArgs('devices.add', { name: `D-${i}`, profileId: profile.id }),
        );
        ids.push(device.id);
      }
      return ids;
    });
    const ids = added.value;
    await api['jobs.create'](
      parseArgs('jobs.create', {
        packageId: own.id,
        deviceIds: ids.filter((_, i) => i % 2 === 0),
        policy: { concurrency: 0 },
      }),
    );
    console.log(
      `  ${DEVICES} devices added in ${(added.ms / 1000).toFixed(1)} s; half given ${own.version} as their own`,
    );

    const assigned = await timed(() =>
      api['profiles.assign'](
        parseArgs('profiles.assign', { profileId: profile.id, packageId: fleet.id }),
      ),
    );
    console.log(
      `  profiles.assign: ${assigned.value.devices} followers in one job (${assigned.value.job?.counts.total ?? 0} executions) in ${assigned.ms.toFixed(0)} ms`,
    );

    const lists: number[] = [];
    for (let i = 0; i < 5; i++) lists.push((await timed(() => api['devices.list']({}))).ms);
    console.log(`  devices.list of ${DEVICES}: median ${median(lists).toFixed(0)} ms (of 5)`);

    // The chunk server's question on each new requestId, asked of a second connection.
    const db = openDatabase(dataDir, MIGRATIONS);
    try {
      const devices = new DeviceRepository(db);
      const start = performance.now();
      let resolved = 0;
      for (const id of ids) if (devices.assignedPackageId(id, 'FIRMWARE')) resolved += 1;
      const perCall = ((performance.now() - start) * 1000) / ids.length;
      console.log(
        `  package resolution: ${perCall.toFixed(1)} µs per device (${resolved} resolved)`,
      );
    } finally {
      db.close();
    }

    const unassigned = await timed(() =>
      api['profiles.unassign']({ profileId: profile.id, type: 'FIRMWARE' }),
    );
    console.log(
      `  profiles.unassign: withdrawn from ${unassigned.value.devices} devices in ${unassigned.ms.toFixed(0)} ms`,
    );
  } finally {
    await station.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
