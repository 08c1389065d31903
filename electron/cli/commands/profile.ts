import { Command } from 'commander';

import type { Profile, ProfilePackage } from '../../../shared/api/entities';
import type { ProfileAssignment } from '../../../shared/api/operations';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { findPackage, findProfileByName } from '../lookups';
import { packageType } from '../option-parsers';
import { formatTime, printJson, printLine, printTable, TYPE_WORD } from '../output';

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

  withConnectionOptions(
    profile
      .command('assign')
      .description(
        'give a device profile its firmware (or software): every device of it without its own gets it, in one job',
      )
      .argument('<name>', 'profile name'),
  )
    .requiredOption('--package <title@version>', 'package, e.g. CIM-168@1.0.2')
    .option('--type <type>', 'FIRMWARE or SOFTWARE (default: the package type)', packageType)
    .action(
      async (
        name: string,
        options: ConnectionOptions & { package: string; type?: OtaPackageType },
      ) => {
        const { client } = connect(options);
        const found = await findProfileByName(client, name);
        const pkg = await findPackage(client, options.package, options.type);
        const result = await client.call('profiles.assign', {
          profileId: found.id,
          packageId: pkg.id,
        });
        if (options.json) printJson(result);
        else printLine(assignedLine(result, `${TYPE_WORD[pkg.type]} ${pkg.title}@${pkg.version}`));
      },
    );

  withConnectionOptions(
    profile
      .command('unassign')
      .description(
        "take a device profile's firmware (or software) back from the devices that got it from the profile",
      )
      .argument('<name>', 'profile name'),
  )
    .option('--type <type>', 'FIRMWARE or SOFTWARE', packageType, 'FIRMWARE' as OtaPackageType)
    .action(async (name: string, options: ConnectionOptions & { type: OtaPackageType }) => {
      const { client } = connect(options);
      const found = await findProfileByName(client, name);
      const result = await client.call('profiles.unassign', {
        profileId: found.id,
        type: options.type,
      });
      if (options.json) printJson(result);
      else if (!result.changed)
        printLine(
          `Device profile ${found.name} has no ${options.type.toLowerCase()} assigned: nothing changes.`,
        );
      else
        printLine(
          `${TYPE_WORD[options.type]} of device profile ${found.name} un-assigned: taken back from ${devicesWord(result.devices)}.`,
        );
    });

  return profile;
}

function assignedLine(result: ProfileAssignment, what: string): string {
  const job = result.job ? ` (job ${result.job.id})` : '';
  const profile = result.profile.name;
  if (!result.changed) {
    return result.devices === 0
      ? `${what} is already assigned to device profile ${profile}: nothing changes.`
      : `${what} is already assigned to device profile ${profile}: sent again to ${devicesWord(result.devices)} that did not get it${job}.`;
  }
  const reach =
    result.devices === 0
      ? 'no device will be updated (each has its own package)'
      : `${devicesWord(result.devices)} will be updated`;
  return `${what} assigned to device profile ${profile}: ${reach}${job}.`;
}

function devicesWord(count: number): string {
  return count === 1 ? '1 device' : `${count} devices`;
}

function packageText(pkg: ProfilePackage | null): string {
  return pkg ? `${pkg.title}@${pkg.version}` : '-';
}

function printProfiles(profiles: readonly Profile[]): void {
  printTable(
    ['NAME', 'FIRMWARE', 'SOFTWARE', 'DESCRIPTION', 'CREATED', 'SYNC', 'ID'],
    profiles.map((p) => [
      p.name,
      packageText(p.firmware),
      packageText(p.software),
      p.description,
      formatTime(p.createdAt),
      p.syncStatus,
      p.id,
    ]),
    'No device profiles yet: add one with field-ota profile add NAME.',
  );
}
