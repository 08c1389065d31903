import { useNow } from '../lib/use-now';
import { useSlice } from '../state/store-context';
import { Icon } from './Icon';

/**
 * "Live updates" in the header: whether the station's pushed events flow. A silent station
 * (no heartbeat) is said as such, with how long it has been silent, even though its socket is
 * still open.
 */
export function ConnectionStatusItem() {
  const connection = useSlice('connection');
  const silentSince = useSlice('silentSince');
  const state = silentSince !== null ? 'silent' : connection;
  return (
    <li className={`status-item connection connection-${state}`}>
      <span className="status-label">Live updates</span>
      <span className="status-value">
        <Icon name={state === 'open' ? 'online' : state === 'silent' ? 'alert' : 'refresh'} />
        {silentSince !== null ? (
          <SilentFor since={silentSince} />
        ) : connection === 'open' ? (
          'Connected'
        ) : connection === 'connecting' ? (
          'Connecting…'
        ) : connection === 'refused' ? (
          'Secret refused'
        ) : (
          'Reconnecting…'
        )}
      </span>
    </li>
  );
}

function SilentFor({ since }: { since: number }) {
  return <>Station not responding ({silentSeconds(since, useNow(1_000))} s)</>;
}

export function silentSeconds(since: number, now: number): number {
  return Math.max(0, Math.round((now - since) / 1_000));
}
