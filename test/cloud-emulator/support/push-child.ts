// Child process for the "station killed mid-push" test: opens the station on DATA_DIR (the cloud
// session is in its token file), then pushes until nothing is left, reporting each push on
// stdout. The parent SIGKILLs it at chosen moments.
import { startStation } from '../../../electron/core/station';
import { parseArgs } from '../../../shared/api/validate';
import { TEST_SYNC } from './sync-fixture';

async function main(): Promise<void> {
  const [dataDir] = process.argv.slice(2);
  if (!dataDir) throw new Error('usage: push-child DATA_DIR');
  const station = await startStation({ dataDir, mqttPort: 0, sync: TEST_SYNC });
  process.stdout.write('ready\n');
  for (let round = 0; round < 200; round += 1) {
    const summary = await station.api['cloud.push'](parseArgs('cloud.push', {}));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    const status = await station.api['cloud.status'](parseArgs('cloud.status', {}));
    if (!summary.error && Object.values(status.pending).every((n) => n === 0)) break;
  }
  process.stdout.write('done\n');
  await station.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
