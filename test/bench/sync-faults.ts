/**
 * The offline site visit pushed through a faulty uplink: random faults (connections cut before,
 * during and after requests, 500s, 429s, delays) at several rates and seeds. Prints, per run,
 * the requests the cloud saw, the faults it injected, the pushes it took, and what the cloud
 * ended with against what the station recorded: items lost and duplicated (both must be 0).
 * Figures only; nothing is asserted. Run: npx tsx test/bench/sync-faults.ts
 */
import { FAULT_KINDS } from '../cloud-emulator/faults';
import { compareSiteWithCloud } from '../cloud-emulator/support/compare-site';
import { pushUntilDone, seedAndPull, workOffline } from '../cloud-emulator/support/site-visit';
import { startSyncFixture } from '../cloud-emulator/support/sync-fixture';

const RUNS = [
  { rate: 0.1, seed: 1 },
  { rate: 0.2, seed: 2 },
  { rate: 0.3, seed: 3 },
  { rate: 0.4, seed: 4 },
  { rate: 0.5, seed: 5 },
];
const DEVICES = 5;
const HISTORY_POINTS = 100;

async function run(rate: number, seed: number) {
  const fx = await startSyncFixture({ cloud: { retryAfterSeconds: 0, delayMs: 20 } });
  try {
    const tokens = await seedAndPull(fx, DEVICES);
    await fx.cloud.goOffline();
    const visit = await workOffline(fx, tokens, {
      historyPoints: HISTORY_POINTS,
      firmwareBytes: 200_000,
    });
    await fx.cloud.goOnline();
    const before = fx.cloud.stats();
    fx.cloud.faults.setRandom({ rate, seed });
    const started = performance.now();
    const pushes = await pushUntilDone(fx, 200);
    const ms = performance.now() - started;
    fx.cloud.faults.clear();
    const after = fx.cloud.stats();
    const comparison = compareSiteWithCloud(fx.site.dataDir, fx.cloud.state);
    const items =
      comparison.checked.packages +
      comparison.checked.devices +
      comparison.checked.assignments +
      comparison.checked.telemetryPoints;
    return {
      rate,
      seed,
      devices: visit.devices.length,
      items,
      attempts: after.requests - before.requests,
      faults: after.faultsInjected - before.faultsInjected,
      byKind: Object.fromEntries(FAULT_KINDS.map((k) => [k, after.faults[k] - before.faults[k]])),
      pushes,
      lost: comparison.lost.length,
      duplicates: comparison.duplicates.length,
      redelivered: comparison.redelivered,
      ms: Math.round(ms),
      problems: [...comparison.lost, ...comparison.duplicates].slice(0, 5),
    };
  } finally {
    await fx.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `sync under faults: ${DEVICES + 1} devices (one added on site), a 200 kB package, ${HISTORY_POINTS} history points per device`,
  );
  console.log(
    'items = packages + devices + assignment slots + telemetry points checked in the cloud',
  );
  console.log(
    'rate  seed  items  attempts  faults  pushes  lost  duplicates  redelivered  ms     faults by kind',
  );
  const totals = { attempts: 0, faults: 0, lost: 0, duplicates: 0 };
  for (const { rate, seed } of RUNS) {
    const r = await run(rate, seed);
    totals.attempts += r.attempts;
    totals.faults += r.faults;
    totals.lost += r.lost;
    totals.duplicates += r.duplicates;
    const kinds = Object.entries(r.byKind)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(
      `${r.rate.toFixed(1).padEnd(6)}${String(r.seed).padEnd(6)}${String(r.items).padEnd(7)}${String(r.attempts).padEnd(10)}` +
        `${String(r.faults).padEnd(8)}${String(r.pushes).padEnd(8)}${String(r.lost).padEnd(6)}${String(r.duplicates).padEnd(12)}` +
        `${String(r.redelivered).padEnd(13)}${String(r.ms).padEnd(7)}${kinds}`,
    );
    for (const problem of r.problems) console.log(`      ! ${problem}`);
  }
  console.log(
    `total: attempts ${totals.attempts}, faults injected ${totals.faults}, items lost ${totals.lost}, duplicates ${totals.duplicates}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
