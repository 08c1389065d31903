import { Command, InvalidArgumentError } from 'commander';

import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { printJson, printLine } from '../output';

export function cloudConflictsCommand(): Command {
  return withConnectionOptions(
    new Command('conflicts').description('changes the cloud contradicts, with both sides'),
  ).action(async (options: ConnectionOptions) => {
    const conflicts = await connect(options).client.call('cloud.conflicts', {});
    if (options.json) return printJson(conflicts);
    if (conflicts.length === 0) return printLine('No conflicts.');
    for (const c of conflicts) {
      printLine(`#${c.id} ${c.label}: ${c.message}`);
      printLine(`    site:  ${JSON.stringify(c.local)}`);
      printLine(`    cloud: ${JSON.stringify(c.cloud)}`);
      printLine(`    keep-mine:  ${c.choices.KEEP_MINE}`);
      printLine(`    take-cloud: ${c.choices.TAKE_CLOUD}`);
    }
  });
}

function choice(value: string): 'KEEP_MINE' | 'TAKE_CLOUD' {
  const v = value.trim().toLowerCase();
  if (v === 'keep-mine') return 'KEEP_MINE';
  if (v === 'take-cloud') return 'TAKE_CLOUD';
  throw new InvalidArgumentError('expected keep-mine or take-cloud.');
}

export function cloudResolveCommand(): Command {
  return withConnectionOptions(new Command('resolve').description('resolve a conflict'))
    .argument('<id>', 'conflict number (see field-ota cloud conflicts)', (v) => {
      if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a conflict number.');
      return Number(v);
    })
    .argument('<choice>', 'keep-mine or take-cloud', choice)
    .action(async (id: number, picked: 'KEEP_MINE' | 'TAKE_CLOUD', options: ConnectionOptions) => {
      const result = await connect(options).client.call('cloud.resolveConflict', {
        id,
        choice: picked,
      });
      if (options.json) printJson(result);
      else printLine(`${result.resolved ? 'Resolved' : 'Not resolved'}: ${result.message}`);
      if (!result.resolved) process.exitCode = 1;
    });
}
