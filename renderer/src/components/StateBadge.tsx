import type { OtaState } from '../../../shared/protocol/states';
import { Icon, type IconName } from './Icon';

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
      <span className="badge state state-none" title={title}>
        <Icon name="idle" />
        No update
      </span>
    );
  }
  return (
    <span className={`badge state state-${state.toLowerCase().replace('_', '-')}`} title={title}>
      <Icon name={STATE_ICON[state]} />
      {state}
    </span>
  );
}
