import { Command } from 'commander';

import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { printJson, printLine } from '../output';
import { pushLines } from './cloud-format';

export function cloudPushCommand(): Command {
  return withConnectionOptions(
    new Command('push').description(
      'sync now: push what was done on site (in order), then the telemetry',
    ),
  ).action(async (options: ConnectionOptions) => {
    const summary = await connect(options).client.call('cloud.push', {});
    if (options.json) printJson(summary);
    else for (const line of pushLines(summary)) printLine(line);
    if (summary.error) process.exitCode = 1;
  });
}
