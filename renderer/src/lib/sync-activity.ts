import type { SyncActivity } from '../../../shared/api/entities';
import { formatBytes } from './format';

/**
 * A pull or push in progress in words, for the Sync page's progress lines and the header:
 * "Pulling devices: 12 of 40", "Pulling binary CIM-168 1.0.1: 3.60 MB of 4.00 MB",
 * "Pushing outbox: 3 so far".
 */
export function describeActivity(a: SyncActivity): { text: string; percent: number | null } {
  const verb = a.kind === 'PULL' ? 'Pulling' : 'Pushing';
  const amount = (n: number) => (a.unit === 'BYTES' ? formatBytes(n) : n.toLocaleString('en-US'));
  if (a.total !== null && a.total > 0)
    return {
      text: `${verb} ${a.phase}: ${amount(a.done)} of ${amount(a.total)}`,
      percent: Math.min(100, (a.done / a.total) * 100),
    };
  return { text: `${verb} ${a.phase}: ${amount(a.done)} so far`, percent: null };
}
