import type { PullSummary } from '../../../shared/api/entities';
import type { SyncSettings } from '../repositories/sync-settings';
import type { CloudClient } from './cloud-client';
import { describeCloudError, isTransient, SignInRequiredError } from './cloud-errors';
import { type PullRequest, pullSite } from './pull/site-pull';
import type { SyncDeps } from './sync-deps';
import type { SyncState } from './sync-state';

/** What a pull or a push reads and records around its own work. */
export interface RunContext {
  deps: SyncDeps;
  settings: SyncSettings;
  state: SyncState;
}

/**
 * One site pull, with its progress shown and its outcome logged. A pull cut by the network or
 * an ended session answers with what it says; it continues where it was next time.
 */
export async function runPull(
  ctx: RunContext,
  client: CloudClient,
  request: PullRequest,
): Promise<PullSummary> {
  const { deps, settings, state } = ctx;
  const progress = state.reporter('PULL');
  progress('starting', 0, null);
  try {
    const summary = await pullSite(deps, client, request, progress);
    state.reachable();
    settings.set('cloud.lastPullAt', summary.finishedAt);
    deps.log('info', pullMessage(summary));
    for (const warning of summary.warnings) deps.log('warning', warning);
    return summary;
  } catch (error) {
    state.stopReason(error);
    if (
      !isTransient(error) &&
      !(error instanceof SignInRequiredError) &&
      !(error as { transient?: boolean }).transient
    )
      throw error;
    return emptyPull(
      `The pull stopped (${describeCloudError(error)}); it continues where it was next time`,
    );
  } finally {
    state.setActivity(null);
  }
}

function emptyPull(error: string): PullSummary {
  return {
    profiles: { added: 0, updated: 0 },
    devices: { added: 0, updated: 0, markedDeleted: 0, removed: 0 },
    packages: {
      listed: 0,
      downloaded: 0,
      alreadyCached: 0,
      markedDeleted: 0,
      removed: 0,
      failed: [],
    },
    assignments: { applied: 0, skipped: 0 },
    warnings: [],
    error,
    finishedAt: Date.now(),
  };
}

function pullMessage(s: PullSummary): string {
  return (
    `Pulled: ${s.profiles.added} profile(s) added, ${s.devices.added} device(s) added and ${s.devices.updated} updated, ` +
    `${s.packages.listed} package(s) listed, ${s.packages.downloaded} binary(ies) downloaded, ` +
    `${s.assignments.applied} assignment(s) applied` +
    (s.packages.failed.length ? `, ${s.packages.failed.length} binary(ies) failed` : '')
  );
}
