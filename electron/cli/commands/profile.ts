import { Command } from 'commander';
import type { Profile } from '../../../shared/api/entities';
import { connect, withConnectionOptions, type ConnectionOptions } from '../connection';
import { formatTime, printJson, printLine, printTable } from '../output';

export function profileCommand(): Command {
  const profile = new Command('profile').description('device profiles');

  withConnectionOptions(
    profile.command('add').description('add a device profile').argument('<name>', 'profile name'),
  )
    .option('--description <text>', 'what the profile is for', '')
    .action(async (name: string, options: ConnectionOptions & { description: string }) => {
      const { client } = connect(options);
      const created = await client.call('profiles.add', { name, description: options.description });
      if (options.json) printJson(created);
      else printLine(`Profile "${created.name}" added (id ${created.id}).`);
    });

  withConnectionOptions(profile.command('list').description('list device profiles')).action(
    async (options: ConnectionOptions) => {
      const { client } = connect(options);
      const profiles = await client.call('profiles.list', {});
      if (options.json) printJson(profiles);
      else printProfiles(profiles);
    },
  );

  return profile;
}

function printProfiles(profiles: readonly Profile[]): void {
  printTable(
    ['NAME', 'DESCRIPTION', 'CREATED', 'SYNC', 'ID'],
    profiles.map((p) => [p.name, p.description, formatTime(p.createdAt), p.syncStatus, p.id]),
    'No device profiles yet: add one with field-ota profile add NAME.',
  );
}
