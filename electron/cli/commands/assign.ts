import { Command } from 'commander';

import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { findDeviceByName, findPackage } from '../lookups';
import { packageType } from '../option-parsers';
import { printJson, printLine, TYPE_WORD } from '../output';

interface AssignOptions extends ConnectionOptions {
  device: string;
  package: string;
  type?: OtaPackageType;
}

/** The console's "Edit device, assign firmware, Apply" in one line. */
export function assignCommand(): Command {
  return withConnectionOptions(
    new Command('assign').description('assign a package to a device: the device is told to update'),
  )
    .requiredOption('--device <name>', 'device name')
    .requiredOption('--package <title@version>', 'package, e.g. CIM-168@1.0.1')
    .option('--type <type>', 'FIRMWARE or SOFTWARE (default: the package type)', packageType)
    .action(async (options: AssignOptions) => {
      const { client } = connect(options);
      const device = await findDeviceByName(client, options.device);
      const pkg = await findPackage(client, options.package, options.type);
      const execution = await client.call('assignments.assign', {
        deviceId: device.id,
        packageId: pkg.id,
      });
      if (options.json) printJson(execution);
      else
        printLine(
          `${TYPE_WORD[pkg.type]} ${pkg.title}@${pkg.version} assigned to ${device.name}: ${execution.state} (execution ${execution.id}).`,
        );
    });
}
