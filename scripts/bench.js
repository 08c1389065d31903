#!/usr/bin/env node
'use strict';
/**
 * npm run bench: every benchmark in turn, each in its own process with a time bound. Figures
 * are printed, never asserted; baselines are measured in the same run.
 * `npm run bench -- device job` runs only the benchmarks whose name contains a given word.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const BENCHMARKS = [
  { name: 'checksum-speed', args: [], minutes: 3 },
  { name: 'import-speed', args: [], minutes: 5 },
  { name: 'mqtt-endpoint-throughput', args: ['--clients', '100,1000', '--seconds', '5'], minutes: 5 },
  { name: 'device-throughput', args: ['100,1000', '65536,8192'], minutes: 20 },
  { name: 'job-rollout', args: ['1000', '100'], minutes: 10 },
  { name: 'ui-devices', args: ['10000', '1000'], minutes: 10 },
  { name: 'sync-faults', args: [], minutes: 10 },
];

const filters = process.argv.slice(2);
const chosen = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
let failed = 0;
for (const bench of chosen) {
  process.stdout.write(`\n=== ${bench.name} ===\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'test', 'bench', `${bench.name}.ts`), ...bench.args],
    { cwd: root, stdio: 'inherit', timeout: bench.minutes * 60_000, killSignal: 'SIGKILL' },
  );
  if (result.status !== 0) {
    failed += 1;
    const why = result.error ? result.error.message : result.signal ? `killed (${result.signal})` : `exit ${result.status}`;
    process.stdout.write(`!!! ${bench.name} did not complete: ${why}\n`);
  }
}
process.stdout.write(`\n${chosen.length - failed} of ${chosen.length} benchmarks completed.\n`);
process.exit(failed === 0 ? 0 : 1);
