import type { Profile } from '../../../shared/api/entities';
import { Badge } from './Badge';

/** Where a thing lives: only on this laptop ("Local"), or known to the cloud ("Synced"). */
export function SyncBadge({ status }: { status: Profile['syncStatus'] }) {
  return status === 'LOCAL' ? (
    <Badge
      tone="sync-local"
      icon="cloudOff"
      title="Made on this laptop; the cloud doesn't know it yet"
    >
      Local
    </Badge>
  ) : (
    <Badge tone="sync-synced" icon="check" title="The cloud has it">
      Synced
    </Badge>
  );
}
