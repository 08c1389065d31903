import { Command } from 'commander';

import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { printJson, printLine } from '../output';
import { statusLines } from './cloud-format';
import { readPassword } from './cloud-password';

interface LoginOptions extends ConnectionOptions {
  url: string;
  username: string;
  passwordStdin?: boolean;
}

export function cloudLoginCommand(): Command {
  return withConnectionOptions(
    new Command('login').description(
      'sign the station in to the cloud (the password is not stored)',
    ),
  )
    .requiredOption('--url <url>', 'the cloud, e.g. https://cloud.example.com')
    .requiredOption('--username <name>', 'cloud user name')
    .option(
      '--password-stdin',
      'read the password from stdin (else FIELD_OTA_CLOUD_PASSWORD, else a prompt)',
    )
    .action(async (options: LoginOptions) => {
      const password = await readPassword(options.passwordStdin);
      const { client } = connect(options);
      const status = await client.call('cloud.login', {
        url: options.url,
        username: options.username,
        password,
      });
      if (options.json) printJson(status);
      else for (const line of statusLines(status)) printLine(line);
    });
}
