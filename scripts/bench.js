#!/usr/bin/env node
'use strict';
/**
 * npm run bench: every benchmark in turn, each in its own process with a time bound. Figures
 * are printed, never asserted; baselines are measured in the same run.
 * `npm run bench -- device job` runs only the benchmarks whose name contains a given word.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
// The long day runs 3 minutes here (a short form); LONG_DAY_MINUTES=10 runs the full day's soak.
const LONG_DAY_MINUTES = Number(process.env.LONG_DAY_MINUTES) || 3;
const BENCHMARKS = [
  { name: 'checksum-speed', args: [], minutes: 3 },
  { name: 'import-speed', args: [], minutes: 5 },
  {
    name: 'mqtt-endpoint-throughput',
    args: ['--clients', '100,1000', '--seconds', '5'],
    minutes: 5,
  },
  { name: 'device-throughput', args: ['100,1000', '65536,8192'], minutes: 20 },
  { name: 'device-transports', args: ['100', '65536'], minutes: 10 },
  { name: 'open-download', args: ['100', '20000'], minutes: 5 },
  { name: 'coap-transfer', args: ['100', '0.01', '500'], minutes: 25 },
  { name: 'whole-file', args: ['100000000', '10'], minutes: 10 },
  { name: 'connect-storm', args: ['10000', '500'], minutes: 10 },
  { name: 'job-rollout', args: ['1000', '100'], minutes: 10 },
  { name: 'profile-rollout', args: ['10000'], minutes: 5 },
  { name: 'ui-devices', args: ['10000', '1000'], minutes: 10 },
  { name: 'sync-faults', args: [], minutes: 10 },
  { name: 'sync-resume', args: [], minutes: 3 },
  {
    name: 'long-day',
    args: ['--minutes', String(LONG_DAY_MINUTES), '--devices', '300'],
    minutes: LONG_DAY_MINUTES + 6,
  },
];

/**
 * Runs one benchmark in a process group of its own, so that on time-out its whole tree (a
 * station, simulators, Chromium) is killed, not only the script.
 */
function runBench(bench) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'test', 'bench', `${bench.name}.ts`), ...bench.args],
      { cwd: root, stdio: 'inherit', detached: true },
    );
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, 'SIGKILL');
    }, bench.minutes * 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve(`timed out after ${bench.minutes} min`);
      else if (code === 0) resolve(null);
      else resolve(signal ? `killed (${signal})` : `exit ${code}`);
    });
  });
}

async function main() {
  const filters = process.argv.slice(2);
  const chosen = BENCHMARKS.filter(
    (b) => filters.length === 0 || filters.some((f) => b.name.includes(f)),
  );
  let failed = 0;
  for (const bench of chosen) {
    process.stdout.write(`\n=== ${bench.name} ===\n`);
    const problem = await runBench(bench);
    if (problem) {
      failed += 1;
      process.stdout.write(`!!! ${bench.name} did not complete: ${problem}\n`);
    }
  }
  process.stdout.write(`\n${chosen.length - failed} of ${chosen.length} benchmarks completed.\n`);
  process.exit(failed === 0 ? 0 : 1);
}

void main();
