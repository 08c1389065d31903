/**
 * A site pull whose 64 MiB binary is cut at 90 % (then the link is gone for the rest of that
 * pull), and the next pull that completes it. Prints the bytes the cloud sent over both pulls:
 * with resume (the station asks `Range: bytes=<kept>-`, the cloud answers 206) and without (the
 * cloud ignores Range, which is what every download did before resume: start again from zero).
 * Figures only; nothing is asserted. Bounded: each pull has a 2-minute limit.
 * Run: npx tsx test/bench/sync-resume.ts [MiB]
 */
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture } from '../cloud-emulator/support/sync-fixture';

const MIB = 1024 * 1024;
const PULL_LIMIT_MS = 120_000;
const isDownload = (r: { path: string }) => r.path.endsWith('/download');

function withinLimit<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took over ${PULL_LIMIT_MS} ms`)),
      PULL_LIMIT_MS,
    );
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function run(data: Buffer, resume: boolean) {
  const fx = await startSyncFixture({
    cloud: { ignoreRange: !resume },
    station: { sync: { retry: { maxAttempts: 1 }, idleTimeoutMs: 30_000 } },
  });
  try {
    seedSite(fx.cloud.state, {
      profile: 'P',
      devices: [{ name: 'd0', token: 't0' }],
      packages: [{ title: 'FW', version: '1', data }],
      firmware: { d0: 'FW@1' },
    });
    await fx.login();
    const cutAt = Math.floor(data.length * 0.9);
    fx.cloud.faults.inject({ kind: 'cut-mid-body', match: isDownload, afterBytes: cutAt });
    fx.cloud.faults.inject({ kind: 'drop-request', match: isDownload, times: 3 });
    const first = await withinLimit(fx.call('cloud.pull', {}), 'the first pull');
    if (!first.error) throw new Error('the first pull was expected to stop at the cut');
    const started = performance.now();
    const second = await withinLimit(fx.call('cloud.pull', {}), 'the second pull');
    const secondMs = performance.now() - started;
    if (second.error || second.packages.downloaded !== 1)
      throw new Error(`the second pull did not complete: ${second.error ?? 'no binary'}`);
    const downloads = fx.cloud.stats().downloads;
    const sent = downloads.reduce((sum, d) => sum + d.bytesSent, 0);
    const last = downloads.at(-1);
    return {
      mode: resume ? 'with resume' : 'without (Range ignored)',
      cutAt,
      sent,
      secondPull: last?.bytesSent ?? 0,
      secondStatus: last?.status ?? 0,
      secondMs: Math.round(secondMs),
    };
  } finally {
    await fx.close();
  }
}

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 64);
  if (!Number.isInteger(mib) || mib < 1 || mib > 1024)
    throw new Error(`size must be a whole number of MiB from 1 to 1024, got ${process.argv[2]}`);
  const data = firmwareBytes(mib * MIB, 64);
  console.log(
    `site pull of a ${mib} MiB binary cut at 90 % (${Math.floor(data.length * 0.9)} bytes), completed by the next pull`,
  );
  console.log(
    'mode                      cloud sent (bytes)  = x binary  2nd pull sent (bytes)  2nd pull status  2nd pull ms',
  );
  for (const resume of [true, false]) {
    const r = await run(data, resume);
    console.log(
      `${r.mode.padEnd(26)}${String(r.sent).padEnd(20)}${(r.sent / data.length).toFixed(2).padEnd(12)}` +
        `${String(r.secondPull).padEnd(23)}${String(r.secondStatus).padEnd(17)}${r.secondMs}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
