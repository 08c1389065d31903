import type {
  CloudConflict,
  CloudPendingCounts,
  PullSummary,
  PushSummary,
} from '../../../../shared/api/entities';
import { formatCount } from '../../lib/format';

/** An outbox item's kind in the console's words. */
export function kindLabel(kind: string): string {
  switch (kind) {
    case 'profile.created':
      return 'New device profile';
    case 'device.created':
      return 'New device';
    case 'device.updated':
      return 'Name or label';
    case 'package.created':
      return 'New package';
    case 'package.deleted':
      return 'Package removed';
    case 'assignment.set':
      return 'Assignment';
    case 'assignment.cleared':
      return 'Un-assignment';
    default:
      return kind;
  }
}

/** The pending counts as rows for a list, in the order a technician thinks of them. */
export function pendingRows(p: CloudPendingCounts): { label: string; count: number }[] {
  return [
    { label: 'Device profiles', count: p.profiles },
    { label: 'Devices', count: p.devices },
    { label: 'Packages', count: p.packages },
    { label: 'Assignments', count: p.assignments },
    { label: 'Other changes', count: p.other },
    { label: 'Telemetry points', count: p.telemetryPoints },
  ];
}

export function pendingTotal(p: CloudPendingCounts): number {
  return p.profiles + p.devices + p.packages + p.assignments + p.other;
}

/** A value of either side of a conflict, as plain text. */
export function sideValue(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'none';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Every field either side names, so the two columns line up (local order first). */
export function conflictRows(
  conflict: Pick<CloudConflict, 'local' | 'cloud'>,
): { field: string; local: string; cloud: string; differs: boolean }[] {
  const fields = [...new Set([...Object.keys(conflict.local), ...Object.keys(conflict.cloud)])];
  return fields.map((field) => {
    const local = sideValue(conflict.local[field]);
    const cloud = sideValue(conflict.cloud[field]);
    return { field: fieldLabel(field), local, cloud, differs: local !== cloud };
  });
}

function fieldLabel(field: string): string {
  const spaced = field.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.]/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

/** "Pulled 40 devices (3 new), 2 packages listed, 2 binaries downloaded, 5 assignments". */
export function describePull(s: PullSummary): string {
  const parts = [
    `${formatCount(s.devices.added + s.devices.updated, 'device')} (${s.devices.added} new)`,
    `${formatCount(s.packages.listed, 'package')} listed`,
    `${formatCount(s.packages.downloaded, 'binary', 'binaries')} downloaded${
      s.packages.alreadyCached > 0 ? ` (${s.packages.alreadyCached} already here)` : ''
    }`,
    formatCount(s.assignments.applied, 'assignment'),
  ];
  if (s.devices.markedDeleted > 0)
    parts.push(
      `${formatCount(s.devices.markedDeleted, 'device')} deleted in the cloud (kept, marked)`,
    );
  if (s.packages.failed.length > 0)
    parts.push(`${formatCount(s.packages.failed.length, 'binary', 'binaries')} failed`);
  return `Pulled ${parts.join(', ')}.`;
}

/** "Sent 1 package, 2 assignments and 120 telemetry points; 1 conflict to look at." */
export function describePush(s: PushSummary): string {
  const p = s.pushed;
  const sent = [
    p.profiles ? formatCount(p.profiles, 'device profile') : null,
    p.devices ? formatCount(p.devices, 'device') : null,
    p.packages ? formatCount(p.packages, 'package') : null,
    p.assignments ? formatCount(p.assignments, 'assignment') : null,
    p.telemetryPoints ? formatCount(p.telemetryPoints, 'telemetry point') : null,
  ].filter((x): x is string => x !== null);
  const head = sent.length > 0 ? `Sent ${sent.join(', ')}` : 'Nothing new to send';
  const tail = [
    s.conflicts ? `${formatCount(s.conflicts, 'conflict')} to look at below` : null,
    s.failed ? `${formatCount(s.failed, 'change')} refused by the cloud (see Errors)` : null,
    s.remaining ? `${s.remaining} still waiting` : null,
  ].filter(Boolean);
  return `${head}${tail.length > 0 ? `; ${tail.join(', ')}` : ''}.`;
}

/**
 * Whether a push needs the technician's eye: conflicts or refusals do. A push that stopped
 * because the cloud is out of reach does not: that is normal on site, and it resumes by itself.
 */
export function pushNeedsAttention(s: PushSummary): boolean {
  return s.conflicts > 0 || s.failed > 0;
}
