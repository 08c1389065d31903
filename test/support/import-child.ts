// Child process for the "killed import" test: starts an import from a slow stream and reports
// progress on stdout, so the parent can SIGKILL it mid-import.
import { Readable } from 'node:stream';

import { startStation } from '../../electron/core/station';
import { PackageMeta } from '../../shared/api/operations';

async function main(): Promise<void> {
  const [dataDir, profileId] = process.argv.slice(2);
  if (!dataDir || !profileId) throw new Error('usage: import-child DATA_DIR PROFILE_ID');
  const station = await startStation({ dataDir, mqttPort: 0 });
  let sent = 0;
  const slow = new Readable({
    read() {
      sent += 1;
      if (sent === 3) process.stdout.write('streaming\n');
      setTimeout(() => this.push(Buffer.alloc(64 * 1024, sent)), 10);
    },
  });
  await station.importPackage(
    PackageMeta.parse({
      title: 'Killed',
      version: '1',
      profileId,
      type: 'FIRMWARE',
      fileName: 'k.bin',
    }),
    slow,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
