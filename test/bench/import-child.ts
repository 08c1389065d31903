// Imports one file into a fresh station and prints {ms, rssBeforeMb, maxRssMb} as JSON.
import fs from 'node:fs';

import { startStation } from '../../electron/core/station';
import { PackageMeta } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';

async function main(): Promise<void> {
  const [dataDir, file] = process.argv.slice(2);
  if (!dataDir || !file) throw new Error('usage: import-child DATA_DIR FILE');
  const station = await startStation({ dataDir, mqttPort: 0 });
  const profile = await station.api['profiles.add'](parseArgs('profiles.add', { name: 'Bench' }));
  const rssBeforeMb = process.memoryUsage().rss / 1e6;
  const t0 = process.hrtime.bigint();
  await station.importPackage(
    PackageMeta.parse({
      title: 'Bench',
      version: '1',
      profileId: profile.id,
      type: 'FIRMWARE',
      fileName: 'image.bin',
    }),
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 }),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await station.close();
  console.log(JSON.stringify({ ms, rssBeforeMb, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
