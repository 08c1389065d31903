import { Command, CommanderError } from 'commander';

import { appVersion } from '../core/http/app-root';
import { describeError } from './cli-error';
import { assignCommand } from './commands/assign';
import { cloudCommand } from './commands/cloud-command';
import { deviceCommand } from './commands/device';
import { devicesCommand } from './commands/devices';
import { jobCommand } from './commands/job';
import { packageCommand } from './commands/package';
import { profileCommand } from './commands/profile';
import { simulateCommand } from './commands/simulate';
import { stationCommand } from './commands/station';
import { unassignCommand } from './commands/unassign';
import { forTerminal } from './output';

export function createProgram(): Command {
  const program = new Command('field-ota')
    .description(
      'ServicePleX Field OTA: run the offline OTA station and drive it from the command line',
    )
    .version(appVersion(), '-V, --version')
    // Subcommands have a --version of their own (package add): root options only before the subcommand.
    .enablePositionalOptions()
    // Errors are thrown to runCli, which prints them once and picks the exit code.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  for (const command of [
    stationCommand(),
    profileCommand(),
    deviceCommand(),
    devicesCommand(),
    packageCommand(),
    assignCommand(),
    unassignCommand(),
    jobCommand(),
    simulateCommand(),
    cloudCommand(),
  ]) {
    program.addCommand(command);
  }
  applyToAll(program, (c) => c.exitOverride().showHelpAfterError('(add --help for usage)'));
  return program;
}

function applyToAll(command: Command, apply: (c: Command) => void): void {
  apply(command);
  for (const sub of command.commands) applyToAll(sub, apply);
}

/** Runs the CLI and returns the exit code: 0 on success, 1 on any error (printed on stderr). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // commander has already printed its own usage errors (and help/version, which exit 0).
    if (error instanceof CommanderError) return error.exitCode;
    for (const line of describeError(error))
      process.stderr.write(`field-ota: ${forTerminal(line)}\n`);
    return 1;
  }
}
