import { Command } from 'commander';

import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { printJson, printLine } from '../output';
import { pullLines } from './cloud-format';

interface PullOptions extends ConnectionOptions {
  devices?: string;
  packages?: string;
  noBinaries?: boolean;
  binaries?: boolean;
}

export function cloudPullCommand(): Command {
  return withConnectionOptions(
    new Command('pull').description(
      'prepare a site visit: profiles, devices with tokens, package infos, binaries of assigned packages, assignments',
    ),
  )
    .option(
      '--devices <names>',
      'comma-separated: binaries only for packages assigned to these devices',
    )
    .option('--packages <ids>', 'comma-separated cloud package ids whose binaries to fetch too')
    .option('--no-binaries', 'fetch no binaries (infos and assignments only)')
    .action(async (options: PullOptions) => {
      const split = (text: string | undefined) =>
        text
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      const deviceNames = split(options.devices);
      const packageIds = split(options.packages);
      const summary = await connect(options).client.call('cloud.pull', {
        binaries: options.binaries === false ? 'NONE' : 'ASSIGNED',
        ...(deviceNames ? { deviceNames } : {}),
        ...(packageIds ? { packageIds } : {}),
      });
      if (options.json) printJson(summary);
      else for (const line of pullLines(summary)) printLine(line);
      if (summary.error) process.exitCode = 1;
    });
}
