import { Command } from 'commander';

import { cloudConflictsCommand, cloudResolveCommand } from './cloud-conflicts';
import { cloudLoginCommand } from './cloud-login';
import { cloudLogoutCommand } from './cloud-logout';
import { cloudPullCommand } from './cloud-pull';
import { cloudPushCommand } from './cloud-push';
import { cloudStatusCommand } from './cloud-status';

/** `field-ota cloud login|logout|pull|push|status|conflicts|resolve`. */
export function cloudCommand(): Command {
  const cloud = new Command('cloud').description(
    'sync with the ServicePleX cloud: sign in, pull a site, push what was done',
  );
  for (const command of [
    cloudLoginCommand(),
    cloudLogoutCommand(),
    cloudStatusCommand(),
    cloudPullCommand(),
    cloudPushCommand(),
    cloudConflictsCommand(),
    cloudResolveCommand(),
  ])
    cloud.addCommand(command);
  return cloud;
}
