import fs from 'node:fs';

import { Command, InvalidArgumentError } from 'commander';

import type { Job } from '../../../shared/api/entities';
import type { ApiClient } from '../../../shared/api/operations';
import { CliError } from '../cli-error';
import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { findPackage, findProfileByName } from '../lookups';
import { integerIn } from '../option-parsers';
import { formatTable, formatTime, printJson, printLine, printTable } from '../output';

interface CreateOptions extends ConnectionOptions {
  package: string;
  devices?: string;
  profile?: string;
  concurrency?: number;
  timeout?: number;
  retries?: number;
  retryDelay?: number;
  haltAfter?: { failures: number } | { percent: number };
  startAt?: string;
}

/** `--halt-after 5` (devices) or `--halt-after 10%` (of the job's devices). */
function haltAfter(value: string): { failures: number } | { percent: number } {
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (percent) return { percent: Number(percent[1]) };
  if (/^\d+$/.test(value.trim()) && Number(value) >= 1) return { failures: Number(value) };
  throw new InvalidArgumentError('expected a number of devices (5) or a percentage (10%)');
}

/** One list call for the whole selection, not one per name. */
async function deviceIdsByName(client: ApiClient, names: string[]): Promise<string[]> {
  const fleet = new Map((await client.call('devices.list', {})).map((d) => [d.name, d.id]));
  return names.map((raw) => {
    const name = raw.trim();
    const id = fleet.get(name);
    if (!id) throw new CliError(`Unknown device "${name}"; list them with: field-ota devices`);
    return id;
  });
}

function progress(job: Job): string {
  const c = job.counts;
  const percent = job.bytesTotal > 0 ? Math.floor((job.bytesServed / job.bytesTotal) * 100) : 0;
  const eta = job.etaSeconds === null ? '' : `, ETA ${job.etaSeconds} s`;
  return `${c.updated}/${c.total} updated, ${c.active} active, ${c.queued} queued, ${c.failed} failed, ${percent} % of bytes${eta}`;
}

function jobLine(job: Job): string {
  const reason = job.statusReason ? ` (${job.statusReason})` : '';
  return `Job ${job.id}: ${job.packageTitle}@${job.packageVersion} ${job.status}${reason}: ${progress(job)}`;
}

function idCommand(
  name: string,
  description: string,
  run: (client: ApiClient, id: string) => Promise<Job>,
): Command {
  return withConnectionOptions(new Command(name).description(description))
    .argument('<id>', 'job id')
    .action(async (id: string, options: ConnectionOptions) => {
      const job = await run(connect(options).client, id);
      if (options.json) printJson(job);
      else printLine(jobLine(job));
    });
}

/** Site rollouts: `field-ota job create|list|show|pause|resume|cancel|report`. */
export function jobCommand(): Command {
  const job = new Command('job').description(
    'rollouts: a package to many devices with concurrency, time-outs and retries',
  );

  job.addCommand(
    withConnectionOptions(
      new Command('create').description('assign a package to devices or a whole profile'),
    )
      .requiredOption('--package <title@version>', 'package, e.g. CIM-168@1.0.1')
      .option('--devices <names>', 'comma-separated device names')
      .option('--profile <name>', 'every device of this device profile')
      .option(
        '--concurrency <n>',
        'devices downloading at once (0 = no limit; default 10)',
        integerIn(0, 100_000),
      )
      .option(
        '--timeout <seconds>',
        'seconds without progress before TIMED_OUT (0 = never; default 600)',
        integerIn(0, 604_800),
      )
      .option(
        '--retries <n>',
        'automatic re-deliveries after a failure (default 1)',
        integerIn(0, 20),
      )
      .option(
        '--retry-delay <seconds>',
        'seconds between a failure and its re-delivery (default 2)',
        integerIn(1, 86_400),
      )
      .option('--halt-after <n|x%>', 'auto-pause after N failed devices or X % of them', haltAfter)
      .option('--start-at <iso time>', 'start later, e.g. 2026-11-27T06:00:00Z')
      .action(async (options: CreateOptions) => {
        if (Boolean(options.devices) === Boolean(options.profile)) {
          throw new InvalidArgumentError('give either --devices or --profile');
        }
        const { client } = connect(options);
        const pkg = await findPackage(client, options.package);
        const deviceIds = options.devices
          ? await deviceIdsByName(client, options.devices.split(','))
          : undefined;
        const profileId = options.profile
          ? (await findProfileByName(client, options.profile)).id
          : undefined;
        const startAt = options.startAt === undefined ? undefined : Date.parse(options.startAt);
        if (startAt !== undefined && Number.isNaN(startAt))
          throw new InvalidArgumentError(`--start-at: not a time: ${options.startAt}`);
        const policy = {
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.timeout === undefined ? {} : { timeoutSec: options.timeout }),
          ...(options.retries === undefined ? {} : { retries: options.retries }),
          ...(options.retryDelay === undefined ? {} : { retryDelaySec: options.retryDelay }),
          ...(options.haltAfter && 'failures' in options.haltAfter
            ? { haltAfterFailures: options.haltAfter.failures }
            : {}),
          ...(options.haltAfter && 'percent' in options.haltAfter
            ? { haltAfterPercent: options.haltAfter.percent }
            : {}),
        };
        const created = await client.call('jobs.create', {
          packageId: pkg.id,
          ...(deviceIds ? { deviceIds } : {}),
          ...(profileId ? { profileId } : {}),
          policy,
          ...(startAt === undefined ? {} : { startAt }),
        });
        if (options.json) printJson(created);
        else printLine(jobLine(created));
      }),
  );

  job.addCommand(
    withConnectionOptions(new Command('list').description('jobs, newest first')).action(
      async (options: ConnectionOptions) => {
        const jobs = await connect(options).client.call('jobs.list', {});
        if (options.json) return printJson(jobs);
        printTable(
          ['ID', 'PACKAGE', 'STATUS', 'DEVICES', 'UPDATED', 'FAILED', 'CREATED'],
          jobs.map((j) => [
            j.id,
            `${j.packageTitle}@${j.packageVersion}`,
            j.status,
            String(j.counts.total),
            String(j.counts.updated),
            String(j.counts.failed),
            formatTime(j.createdAt),
          ]),
          'No jobs yet: create one with field-ota job create (or assign a package).',
        );
      },
    ),
  );

  job.addCommand(
    withConnectionOptions(new Command('show').description('a job and each device in it'))
      .argument('<id>', 'job id')
      .action(async (id: string, options: ConnectionOptions) => {
        const detail = await connect(options).client.call('jobs.get', { id });
        if (options.json) return printJson(detail);
        printLine(jobLine(detail));
        printLine(
          formatTable(
            ['DEVICE', 'STATE', 'BYTES', 'ATTEMPTS', 'ERROR'],
            detail.executions.map((e) => [
              e.deviceName,
              e.state,
              `${e.bytesServed}/${e.size}`,
              String(e.attempts),
              e.error ?? '',
            ]),
          ),
        );
      }),
  );

  job.addCommand(
    idCommand('pause', 'stop starting new devices (running ones go on)', (c, id) =>
      c.call('jobs.pause', { id }),
    ),
  );
  job.addCommand(
    idCommand('resume', 'go on with a paused job', (c, id) => c.call('jobs.resume', { id })),
  );
  job.addCommand(
    idCommand('cancel', 'un-assign devices not yet installing; finished ones stay', (c, id) =>
      c.call('jobs.cancel', { id }),
    ),
  );

  job.addCommand(
    withConnectionOptions(
      new Command('report').description(
        'every device: start, end, duration, bytes, attempts, result',
      ),
    )
      .argument('<id>', 'job id')
      .option('--format <csv|json>', 'csv (default) or json', (v: string) => {
        if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('csv or json');
        return v;
      })
      .option('--output <file>', 'write to a file instead of stdout')
      .action(
        async (
          id: string,
          options: ConnectionOptions & { format?: 'csv' | 'json'; output?: string },
        ) => {
          const report = await connect(options).client.call('jobs.report', {
            id,
            format: options.format ?? 'csv',
          });
          if (options.output) {
            fs.writeFileSync(options.output, report.body);
            printLine(`Report written to ${options.output}`);
          } else {
            process.stdout.write(report.body);
          }
        },
      ),
  );
  return job;
}
