import { Command } from 'commander';

import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { printJson, printLine } from '../output';

export function cloudLogoutCommand(): Command {
  return withConnectionOptions(
    new Command('logout').description(
      'sign out: the session tokens are deleted (pending changes stay queued)',
    ),
  ).action(async (options: ConnectionOptions) => {
    const status = await connect(options).client.call('cloud.logout', {});
    if (options.json) printJson(status);
    else printLine(`Signed out of ${status.url ?? 'the cloud'}; the session tokens were deleted.`);
  });
}
