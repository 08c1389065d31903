import type { OtaState } from '../../../shared/protocol/states';
import { Badge } from './Badge';
import type { IconName } from './Icon';

/** One color and one icon per state, with the state's own word: never color alone. */
const STATE_ICON: Record<OtaState, IconName> = {
  QUEUED: 'queued',
  INITIATED: 'initiated',
  DOWNLOADING: 'downloading',
  DOWNLOADED: 'downloaded',
  VERIFIED: 'verify',
  UPDATING: 'updating',
  UPDATED: 'updated',
  FAILED: 'failed',
  TIMED_OUT: 'timedOut',
  CANCELED: 'canceled',
};

export function StateBadge({ state, title }: { state: OtaState | null; title?: string }) {
  if (state === null) {
    return (
      <Badge tone="state state-none" icon="idle" title={title}>
        No update
      </Badge>
    );
  }
  return (
    <Badge
      tone={`state state-${state.toLowerCase().replace('_', '-')}`}
      icon={STATE_ICON[state]}
      title={title}
    >
      {state}
    </Badge>
  );
}
