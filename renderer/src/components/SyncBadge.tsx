import type { Profile } from '../../../shared/api/entities';
import { Icon } from './Icon';

/** Where a thing lives: only on this laptop ("Local"), or known to the cloud ("Synced"). */
export function SyncBadge({ status }: { status: Profile['syncStatus'] }) {
  return status === 'LOCAL' ? (
    <span className="badge sync-local" title="Made on this laptop; the cloud doesn't know it yet">
      <Icon name="cloudOff" />
      Local
    </span>
  ) : (
    <span className="badge sync-synced" title="The cloud has it">
      <Icon name="check" />
      Synced
    </span>
  );
}
