import type { Device, Package, Profile } from '../../shared/api/entities';
import type { ApiClient } from '../../shared/api/operations';
import type { OtaPackageType } from '../../shared/protocol/ota-keys';
import { CliError } from './cli-error';

/** People name things; the API wants ids. These turn the names typed on the command line into objects. */

export async function findProfileByName(client: ApiClient, name: string): Promise<Profile> {
  const profiles = await client.call('profiles.list', {});
  const found = byName(profiles, name, (p) => p.name);
  if (found) return found;
  throw new CliError(
    `Unknown device profile "${name}". ${known(
      'profiles',
      profiles.map((p) => p.name),
    )} Add one with: field-ota profile add "${name}"`,
  );
}

export async function findDeviceByName(client: ApiClient, name: string): Promise<Device> {
  const devices = await client.call('devices.list', {});
  const found = byName(devices, name, (d) => d.name);
  if (found) return found;
  throw new CliError(
    `Unknown device "${name}". ${known(
      'devices',
      devices.map((d) => d.name),
    )}`,
  );
}

export interface PackageSpec {
  title: string;
  version: string;
}

/** TITLE@VERSION; the last "@" splits, so titles may contain "@" themselves. */
export function parsePackageSpec(spec: string): PackageSpec {
  const at = spec.lastIndexOf('@');
  const title = at > 0 ? spec.slice(0, at).trim() : '';
  const version = at > 0 ? spec.slice(at + 1).trim() : '';
  if (!title || !version)
    throw new CliError(`"${spec}" is not TITLE@VERSION (e.g. CIM-168@1.0.1).`);
  return { title, version };
}

export async function findPackage(
  client: ApiClient,
  spec: string,
  type?: OtaPackageType,
): Promise<Package> {
  const { title, version } = parsePackageSpec(spec);
  const packages = await client.call('packages.list', {});
  const matches = packages.filter(
    (p) => p.title === title && p.version === version && (type === undefined || p.type === type),
  );
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) {
    const what = type ? `${type.toLowerCase()} package` : 'package';
    throw new CliError(
      `No ${what} ${title}@${version}. ${known(
        'packages',
        packages.map((p) => `${p.title}@${p.version}`),
      )}`,
    );
  }
  const kinds = matches.map((p) => `${p.type} for ${p.profileName}`).join(', ');
  throw new CliError(
    `${title}@${version} names ${matches.length} packages (${kinds}): add --type FIRMWARE or --type SOFTWARE.`,
  );
}

/** An exact match first; failing that, a case-insensitive one if it is unambiguous. */
function byName<T>(items: readonly T[], name: string, nameOf: (item: T) => string): T | undefined {
  const exact = items.find((item) => nameOf(item) === name);
  if (exact) return exact;
  const folded = items.filter((item) => nameOf(item).toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

function known(what: string, names: readonly string[]): string {
  if (names.length === 0) return `The station has no ${what} yet.`;
  const shown = names.slice(0, 10).join(', ');
  return `Known ${what}: ${shown}${names.length > 10 ? `, ... (${names.length} in all)` : ''}.`;
}
