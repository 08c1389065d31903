import { downloadBinary } from '../binary-download';
import type { CloudClient } from '../cloud-client';
import { isTransient, SignInRequiredError } from '../cloud-errors';
import type { CloudPackageInfo } from '../cloud-types';
import type { ProgressReporter, SyncDeps } from '../sync-deps';
import { listAll } from './list-all';

export async function listPackages(
  deps: SyncDeps,
  client: CloudClient,
  progress: ProgressReporter,
): Promise<CloudPackageInfo[]> {
  const listed = await listAll(
    (page) => client.packagesPage(page, deps.pageSize),
    (done, total) => progress('package infos', done, total),
  );
  deps.cloudPackages.replace(listed, deps.now());
  return listed;
}

export interface BinariesPulled {
  downloaded: number;
  alreadyCached: number;
  failed: { title: string; version: string; error: string }[];
}

/** Fetches the binaries not cached yet; one that fails is reported, the others still come. */
export async function pullBinaries(
  deps: SyncDeps,
  client: CloudClient,
  wanted: readonly CloudPackageInfo[],
  progress: ProgressReporter,
): Promise<BinariesPulled> {
  const result: BinariesPulled = { downloaded: 0, alreadyCached: 0, failed: [] };
  let done = 0;
  for (const info of wanted) {
    progress('binaries', done, wanted.length);
    done += 1;
    try {
      const outcome = await cacheBinary(deps, client, info, progress);
      if (outcome === 'downloaded') result.downloaded += 1;
      else result.alreadyCached += 1;
    } catch (error) {
      // The connection is gone or the session ended: stop here, the next pull continues.
      if (
        isTransient(error) ||
        (error as { transient?: boolean }).transient ||
        error instanceof SignInRequiredError
      )
        throw error;
      result.failed.push({
        title: info.title,
        version: info.version,
        error: (error as Error).message,
      });
    }
  }
  progress('binaries', wanted.length, wanted.length);
  return result;
}

export async function cacheBinary(
  deps: SyncDeps,
  client: CloudClient,
  info: CloudPackageInfo,
  progress?: ProgressReporter,
): Promise<'downloaded' | 'cached'> {
  const { profileLinks, packageLinks } = deps;
  if (packageLinks.byCloudId(info.id.id)) return 'cached';
  if (!info.hasData) throw new Error(`${info.title} ${info.version} has no binary in the cloud`);
  const profile = info.deviceProfileId
    ? profileLinks.byCloudId(info.deviceProfileId.id)
    : undefined;
  if (!profile)
    throw new Error(`${info.title} ${info.version}: its device profile is not in the station`);
  const sameTitle = packageLinks.byTitleVersion(info.title, info.version);
  if (sameTitle) {
    if (
      sameTitle.cloudId === null &&
      sameTitle.checksumAlgorithm === info.checksumAlgorithm &&
      sameTitle.checksum === info.checksum
    ) {
      // Added on site with the very same bytes: it is the cloud's package.
      packageLinks.link(sameTitle.id, info.id.id);
      return 'cached';
    }
    throw new Error(
      `${info.title} ${info.version}: the station has a package of that title and version with other bytes; the push will show the conflict`,
    );
  }
  // Byte progress of this binary: a resumed download starts the bar where it was cut.
  const binary = await downloadBinary(client, info, deps.packageStore.blobs, {
    onProgress: (bytes, total) =>
      progress?.(`binary ${info.title} ${info.version}`, bytes, total, 'BYTES'),
    log: (message) => deps.log('info', message),
  });
  let id: string;
  try {
    id = deps.db.transaction(() =>
      packageLinks.insertPulled(
        {
          title: info.title,
          version: info.version,
          tag: info.tag ?? '',
          type: info.type,
          profileId: profile.id,
          fileName: binary.fileName,
          contentType: binary.contentType,
          size: binary.size,
          checksumAlgorithm: binary.checksumAlgorithm,
          checksum: binary.checksum,
          sha256: binary.sha256,
          cloudId: info.id.id,
        },
        deps.now(),
      ),
    )();
  } catch (error) {
    if (!packageLinks.isBlobReferenced(binary.sha256))
      await deps.packageStore.blobs.remove(binary.sha256);
    throw new Error(`${info.title} ${info.version}: ${(error as Error).message}`, { cause: error });
  }
  const pkg = deps.packages.find(id);
  if (pkg) deps.events.emit('package.changed', pkg);
  return 'downloaded';
}
