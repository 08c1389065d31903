import { Command } from 'commander';

import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { printJson, printLine } from '../output';
import { statusLines } from './cloud-format';

export function cloudStatusCommand(): Command {
  return withConnectionOptions(
    new Command('status').description('connection, pending changes, conflicts, last sync'),
  ).action(async (options: ConnectionOptions) => {
    const status = await connect(options).client.call('cloud.status', {});
    if (options.json) printJson(status);
    else for (const line of statusLines(status)) printLine(line);
  });
}
