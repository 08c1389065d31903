import type { CloudStatus, PullSummary, PushSummary } from '../../../shared/api/entities';
import { formatTime } from '../output';

/** What `cloud status`, `pull` and `push` print for people (--json prints the objects). */
export function statusLines(s: CloudStatus): string[] {
  const p = s.pending;
  const lines = [
    `Cloud: ${s.url ?? '(none)'}${s.username ? ` as ${s.username}` : ''}: ${connectionText(s)}`,
    `Pending: ${p.packages} package(s), ${p.devices} device(s), ${p.assignments} assignment(s), ${p.profiles} profile(s), ${p.telemetryPoints} telemetry point(s)`,
    `Conflicts: ${s.conflicts}   Failed: ${s.failed}   Auto-sync: ${s.autoSync ? 'on' : 'off'}`,
    `Last pull: ${formatTime(s.lastPullAt)}   Last push: ${formatTime(s.lastPushAt)}`,
  ];
  if (s.activity)
    lines.push(
      `Now: ${s.activity.kind.toLowerCase()} ${s.activity.phase} ${s.activity.done}/${s.activity.total ?? '?'}`,
    );
  if (s.nextAttemptAt !== null) lines.push(`Next attempt: ${formatTime(s.nextAttemptAt)}`);
  if (s.lastError) lines.push(`Last error: ${s.lastError}`);
  lines.push(`Session tokens: ${s.tokenStorage}`);
  return lines;
}

function connectionText(s: CloudStatus): string {
  switch (s.connection) {
    case 'SIGNED_OUT':
      return 'signed out';
    case 'SIGN_IN_REQUIRED':
      return 'the session ended: sign in again (field-ota cloud login)';
    case 'ONLINE':
      return 'online';
    case 'OFFLINE':
      return 'offline (changes stay queued)';
  }
}

export function pullLines(s: PullSummary): string[] {
  const lines = [
    `Profiles: ${s.profiles.added} added, ${s.profiles.updated} updated`,
    `Devices: ${s.devices.added} added, ${s.devices.updated} updated, ${s.devices.markedDeleted} deleted in the cloud (kept, marked), ${s.devices.removed} removed`,
    `Packages: ${s.packages.listed} in the cloud, ${s.packages.downloaded} downloaded, ${s.packages.alreadyCached} already cached`,
    `Assignments: ${s.assignments.applied} applied, ${s.assignments.skipped} skipped`,
  ];
  for (const f of s.packages.failed) lines.push(`  ! ${f.title}@${f.version}: ${f.error}`);
  for (const w of s.warnings) lines.push(`  - ${w}`);
  if (s.error) lines.push(`Stopped: ${s.error}`);
  return lines;
}

export function pushLines(s: PushSummary): string[] {
  const p = s.pushed;
  const lines = [
    `Pushed: ${p.packages} package(s), ${p.devices} device(s), ${p.assignments} assignment(s), ${p.profiles} profile(s), ${p.telemetryPoints} telemetry point(s)`,
    `Left: ${s.remaining} waiting, ${s.conflicts} conflict(s), ${s.failed} failed`,
  ];
  if (s.conflicts > 0) lines.push('See the conflicts with: field-ota cloud conflicts');
  if (s.error) lines.push(`Stopped: ${s.error}`);
  return lines;
}
