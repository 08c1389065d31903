import { checksumOfFile } from '../../packages/checksum';
import type { PackageLink } from '../../repositories/cloud-package-links';
import type { OutboxItem } from '../../repositories/sync-queue';
import type { CloudClient } from '../cloud-client';
import { CloudHttpError } from '../cloud-errors';
import type { CloudPackageInfo } from '../cloud-types';
import { goneOnSite } from './gone-on-site';
import { multipartFile } from './multipart-body';
import { entityRef, type PushContext, type Pusher, type PushOutcome } from './push-types';

/**
 * A package added on site: its info is created, then its binary uploaded with its checksum.
 * The cloud id is saved between the two steps, so a retry never creates it twice; and a title +
 * version the cloud already has is adopted when its bytes are the same (a conflict otherwise).
 */
export const pushPackageCreated: Pusher = async (ctx, item) => {
  const { deps, client } = ctx;
  const pkg = deps.packageLinks.get(item.entityId);
  if (!pkg) return goneOnSite('the package was removed on site before it reached the cloud');
  if (pkg.cloudId) return { kind: 'done', counted: 'settled' };
  if (pkg.status === 'CORRUPT')
    return {
      kind: 'failed',
      message: `${label(pkg)} is corrupt in the station's cache: add it again, then retry`,
    };
  const profile = deps.profileLinks.get(pkg.profileId);
  if (!profile?.cloudId)
    return {
      kind: 'waiting',
      reason: `waiting for device profile ${profile?.name ?? '?'} to reach the cloud`,
    };

  let cloudId = typeof item.progress.cloudId === 'string' ? item.progress.cloudId : undefined;
  if (cloudId) {
    const info = await infoOrUndefined(client, cloudId);
    if (!info) cloudId = undefined;
    else if (info.hasData) return compareWithCloud(ctx, item, pkg, info);
  }
  if (!cloudId) {
    const { info: created, refused } = await createInfo(ctx, pkg, profile.cloudId);
    if (!created) return refused;
    if (created.hasData) return compareWithCloud(ctx, item, pkg, created);
    cloudId = created.id.id;
    deps.queue.setProgress(item.seq, { cloudId });
  }
  return upload(ctx, item, pkg, cloudId);
};

async function createInfo(
  ctx: PushContext,
  pkg: PackageLink,
  profileCloudId: string,
): Promise<
  { info: CloudPackageInfo; refused?: undefined } | { info?: undefined; refused: PushOutcome }
> {
  try {
    const info = await ctx.client.createPackage({
      title: pkg.title,
      version: pkg.version,
      tag: pkg.tag,
      type: pkg.type,
      deviceProfileId: entityRef('DEVICE_PROFILE', profileCloudId),
      usesUrl: false,
      additionalInfo: { description: '' },
    });
    return { info };
  } catch (error) {
    if (!(error instanceof CloudHttpError && error.status === 400)) throw error;
    // Most likely "title and version exist": ours from a lost answer, or the console's.
    const existing = await findPackage(ctx.client, pkg.title, pkg.version, ctx.deps.pageSize);
    if (!existing)
      return {
        refused: { kind: 'failed', message: `The cloud refused ${label(pkg)}: ${error.message}` },
      };
    return { info: existing };
  }
}

async function upload(
  ctx: PushContext,
  item: OutboxItem,
  pkg: PackageLink,
  cloudId: string,
): Promise<PushOutcome> {
  const { deps, client } = ctx;
  const file = deps.packageStore.blobs.pathOf(pkg.sha256);
  try {
    await client.uploadPackage(
      cloudId,
      pkg.checksumAlgorithm,
      pkg.checksum,
      multipartFile('file', pkg.fileName, pkg.contentType, file, pkg.size),
    );
  } catch (error) {
    if (!(error instanceof CloudHttpError)) throw error;
    if (error.status === 413) {
      // Not retried: the same file will be refused every time. The empty info is removed so the
      // cloud's list doesn't show a package without a binary.
      await client.deletePackage(cloudId).catch(() => undefined);
      deps.queue.setProgress(item.seq, {});
      const mib = (pkg.size / 1024 / 1024).toFixed(1);
      return {
        kind: 'failed',
        message:
          `The cloud refused ${label(pkg)} (${mib} MiB): larger than its upload limit (a stock server accepts 16 MiB). ` +
          'Ask the cloud administrator to raise the limit, then retry; the station keeps serving it on site.',
      };
    }
    if (error.status === 404) {
      deps.queue.setProgress(item.seq, {});
      return {
        kind: 'waiting',
        reason: 'the package info disappeared from the cloud; it will be created again',
      };
    }
    if (error.status !== 400) throw error;
    const info = await infoOrUndefined(client, cloudId);
    if (info?.hasData) return compareWithCloud(ctx, item, pkg, info);
    const verified = await deps.packageStore.verify(pkg.id);
    if (verified.status === 'CORRUPT') {
      deps.events.emit('package.changed', verified);
      return {
        kind: 'failed',
        message: `${label(pkg)} is corrupt in the station's cache (${verified.statusDetail ?? ''}): add it again`,
      };
    }
    return {
      kind: 'failed',
      message: `The cloud refused the binary of ${label(pkg)}: ${error.message}`,
    };
  }
  return {
    kind: 'done',
    counted: 'packages',
    apply: () => deps.packageLinks.link(pkg.id, cloudId),
  };
}

/** The cloud has this title and version with a binary: the same bytes are adopted, others conflict. */
async function compareWithCloud(
  ctx: PushContext,
  item: OutboxItem,
  pkg: PackageLink,
  info: CloudPackageInfo,
): Promise<PushOutcome> {
  const { deps } = ctx;
  const cloudId = info.id.id;
  if (await sameBytes(ctx, pkg, info))
    return {
      kind: 'done',
      counted: 'packages',
      apply: () => deps.packageLinks.link(pkg.id, cloudId),
    };
  deps.queue.setProgress(item.seq, {});
  return {
    kind: 'conflict',
    message: `The cloud already has ${label(pkg)} with a different binary`,
    detail: {
      kind: 'PACKAGE',
      label: label(pkg),
      local: {
        title: pkg.title,
        version: pkg.version,
        size: pkg.size,
        checksumAlgorithm: pkg.checksumAlgorithm,
        checksum: pkg.checksum,
      },
      cloud: {
        title: info.title,
        version: info.version,
        size: info.dataSize ?? null,
        checksumAlgorithm: info.checksumAlgorithm ?? null,
        checksum: info.checksum ?? null,
      },
      choices: {
        KEEP_MINE:
          "Replace the cloud's package with the site's binary (refused while cloud devices are assigned to it)",
        TAKE_CLOUD:
          "Download the cloud's binary; it replaces the site's in the cache, for every device assigned to it on site",
      },
      data: { cloudPackageId: cloudId },
    },
  };
}

async function sameBytes(
  ctx: PushContext,
  pkg: PackageLink,
  info: CloudPackageInfo,
): Promise<boolean> {
  if (!info.checksumAlgorithm || !info.checksum) return false;
  if (info.dataSize != null && info.dataSize !== pkg.size) return false;
  if (info.checksumAlgorithm === pkg.checksumAlgorithm)
    return info.checksum.toLowerCase() === pkg.checksum;
  // Different algorithms: hash the cached file the cloud's way.
  const file = ctx.deps.packageStore.blobs.pathOf(pkg.sha256);
  return (await checksumOfFile(info.checksumAlgorithm, file)) === info.checksum.toLowerCase();
}

async function infoOrUndefined(
  client: CloudClient,
  cloudId: string,
): Promise<CloudPackageInfo | undefined> {
  try {
    return await client.packageInfo(cloudId);
  } catch (error) {
    if (error instanceof CloudHttpError && error.status === 404) return undefined;
    throw error;
  }
}

export async function findPackage(
  client: CloudClient,
  title: string,
  version: string,
  pageSize: number,
): Promise<CloudPackageInfo | undefined> {
  for (let page = 0; page < 10_000; page += 1) {
    const result = await client.packagesPage(page, pageSize, title);
    const found = result.data.find((p) => p.title === title && p.version === version);
    if (found) return found;
    if (!result.hasNext) return undefined;
  }
  return undefined;
}

function label(pkg: { title: string; version: string }): string {
  return `${pkg.title} ${pkg.version}`;
}
