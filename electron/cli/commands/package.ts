import { stat } from 'node:fs/promises';
import path from 'node:path';

import { Command } from 'commander';

import type { Package } from '../../../shared/api/entities';
import type { ChecksumAlgorithm } from '../../../shared/protocol/checksum-algorithms';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { CliError } from '../cli-error';
import { connect, type ConnectionOptions, withConnectionOptions } from '../connection';
import { findPackage, findProfileByName } from '../lookups';
import { checksumAlgorithm, packageType } from '../option-parsers';
import { formatTime, printJson, printLine, printTable } from '../output';
import { uploadFile } from '../upload-file';

interface PackageAddOptions extends ConnectionOptions {
  title: string;
  version: string;
  profile: string;
  type: OtaPackageType;
  file: string;
  tag?: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksum?: string;
}

export function packageCommand(): Command {
  const pkg = new Command('package').description('packages in the station cache');

  withConnectionOptions(
    pkg.command('add').description('add a package: uploads the binary into the station cache'),
  )
    .requiredOption('--title <title>', 'package title, e.g. CIM-168')
    .requiredOption('--version <version>', 'package version, e.g. 1.0.1')
    .requiredOption('--profile <profile>', 'device profile NAME')
    .requiredOption('--type <type>', 'FIRMWARE or SOFTWARE', packageType)
    .requiredOption('--file <path>', 'the binary')
    .option('--tag <tag>', 'tag (default: "TITLE VERSION")')
    .option(
      '--checksum-algorithm <algorithm>',
      'MD5, SHA256 (default), SHA384, SHA512, CRC32, MURMUR3_32, MURMUR3_128',
      checksumAlgorithm,
    )
    .option('--checksum <hex>', 'expected checksum: the upload fails unless the file matches it')
    .action(async (options: PackageAddOptions) => {
      const { client, stationUrl, token, explain } = connect(options);
      const size = await fileSize(options.file);
      const profile = await findProfileByName(client, options.profile);
      // Streamed: a package of any size is never held in memory.
      const created = await uploadFile(
        stationUrl,
        {
          title: options.title,
          version: options.version,
          profileId: profile.id,
          type: options.type,
          fileName: path.basename(options.file),
          ...(options.tag !== undefined ? { tag: options.tag } : {}),
          ...(options.checksumAlgorithm !== undefined
            ? { checksumAlgorithm: options.checksumAlgorithm }
            : {}),
          ...(options.checksum !== undefined ? { checksum: options.checksum } : {}),
        },
        options.file,
        size,
        token,
      ).catch(explain);
      if (options.json) printJson(created);
      else
        printLine(
          `Package ${created.title}@${created.version} (${created.type}, ${size} bytes) added to profile "${created.profileName}": ${created.checksumAlgorithm} ${created.checksum} (id ${created.id}).`,
        );
    });

  withConnectionOptions(pkg.command('list').description('list cached packages')).action(
    async (options: ConnectionOptions) => {
      const { client } = connect(options);
      const packages = await client.call('packages.list', {});
      if (options.json) printJson(packages);
      else printPackages(packages);
    },
  );

  withConnectionOptions(
    pkg
      .command('delete')
      .description('delete a package from the cache')
      .argument('<title@version>', 'e.g. CIM-168@1.0.1'),
  )
    .option('--type <type>', 'FIRMWARE or SOFTWARE, when both exist', packageType)
    .action(async (spec: string, options: ConnectionOptions & { type?: OtaPackageType }) => {
      const { client } = connect(options);
      const found = await findPackage(client, spec, options.type);
      const deleted = await client.call('packages.delete', { id: found.id });
      if (options.json) printJson(deleted);
      else printLine(`Package ${found.title}@${found.version} deleted.`);
    });

  return pkg;
}

async function fileSize(file: string): Promise<number> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(
      error.code === 'ENOENT' ? `File not found: ${file}` : `Cannot read ${file}: ${error.message}`,
    );
  });
  if (!info.isFile()) throw new CliError(`Not a file: ${file}`);
  return info.size;
}

function printPackages(packages: readonly Package[]): void {
  printTable(
    ['TITLE', 'VERSION', 'TYPE', 'PROFILE', 'SIZE', 'CHECKSUM', 'STATUS', 'DEVICES', 'CREATED'],
    packages.map((p) => [
      p.title,
      p.version,
      p.type,
      p.profileName,
      String(p.size),
      `${p.checksumAlgorithm} ${p.checksum.slice(0, 16)}${p.checksum.length > 16 ? '...' : ''}`,
      p.status,
      String(p.assignedDevices),
      formatTime(p.createdAt),
    ]),
    'No packages yet: add one with field-ota package add.',
  );
}
