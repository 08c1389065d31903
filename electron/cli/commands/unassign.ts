import { Command } from 'commander';

import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { findDeviceByName } from '../lookups';
import { packageType } from '../option-parsers';
import { printJson, printLine, TYPE_WORD } from '../output';

interface UnassignOptions extends ConnectionOptions {
  device: string;
  type: OtaPackageType;
}

export function unassignCommand(): Command {
  return withConnectionOptions(
    new Command('unassign').description("remove a device's firmware (or software) assignment"),
  )
    .requiredOption('--device <name>', 'device name')
    .option('--type <type>', 'FIRMWARE or SOFTWARE', packageType, 'FIRMWARE' as OtaPackageType)
    .action(async (options: UnassignOptions) => {
      const { client } = connect(options);
      const device = await findDeviceByName(client, options.device);
      const result = await client.call('assignments.unassign', {
        deviceId: device.id,
        type: options.type,
      });
      if (options.json) printJson(result);
      else printLine(`${TYPE_WORD[options.type]} assignment of ${device.name} removed.`);
    });
}
