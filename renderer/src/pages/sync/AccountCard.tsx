import { useId, useState } from 'react';

import type { CloudStatus } from '../../../../shared/api/entities';
import { messageOf } from '../../api/validate-input';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Fact } from '../../components/Fact';
import { Icon } from '../../components/Icon';
import { Switch } from '../../components/Switch';
import { useNotifier } from '../../components/Toasts';
import { usePageAction } from '../../components/use-dialog-action';
import { formatAgo, formatClock, formatCount, formatFullDateTime } from '../../lib/format';
import { useStation } from '../../state/store-context';
import { pendingTotal } from './sync-words';

/** Signed in: where to, whether the cloud answers, when it last did, and signing out. */
export function AccountCard({ cloud, now }: { cloud: CloudStatus; now: number }) {
  const { api, store } = useStation();
  const { toast } = useNotifier();
  const { busy, run } = usePageAction();
  // The switch moves at once; the station's answer (or a refusal) settles it.
  const [autoWanted, setAutoWanted] = useState<boolean | null>(null);
  const autoSync = autoWanted ?? cloud.autoSync;
  const autoHintId = useId();

  const signOut = () =>
    run(
      true,
      async () => {
        const status = await api.call('cloud.logout', {});
        store.putCloud(status);
        const waiting = pendingTotal(status.pending);
        return waiting > 0
          ? `Signed out; ${formatCount(waiting, 'change')} stay queued on this laptop`
          : 'Signed out of the cloud';
      },
      'Could not sign out',
    );

  const setAutoSync = async (enabled: boolean) => {
    setAutoWanted(enabled);
    try {
      store.putCloud(await api.call('cloud.setAutoSync', { enabled }));
    } catch (error) {
      toast('error', `Could not change automatic sync: ${messageOf(error)}`);
    } finally {
      setAutoWanted(null);
    }
  };

  return (
    <Card title="Cloud account" aside={<ConnectionBadge cloud={cloud} />}>
      {cloud.connection === 'OFFLINE' && (
        <p className="calm-note">
          <Icon name="info" />
          <span>
            The cloud is not reachable from here right now
            {cloud.lastError ? ` (${cloud.lastError})` : ''}. That is normal on site: changes stay
            queued on this laptop and go out once the cloud answers again
            {cloud.nextAttemptAt ? ` (next try at ${formatClock(cloud.nextAttemptAt)})` : ''}.
          </span>
        </p>
      )}
      <dl className="facts">
        <Fact label="Cloud" className="mono">
          {cloud.url}
        </Fact>
        <Fact label="Signed in as">{cloud.username}</Fact>
        <Fact
          label="Last sync"
          title={cloud.lastPushAt ? formatFullDateTime(cloud.lastPushAt) : undefined}
        >
          {formatAgo(cloud.lastPushAt, now)}
        </Fact>
        <Fact
          label="Last site pull"
          title={cloud.lastPullAt ? formatFullDateTime(cloud.lastPullAt) : undefined}
        >
          {formatAgo(cloud.lastPullAt, now)}
        </Fact>
        <Fact label="Cloud last checked">{formatAgo(cloud.lastCheckAt, now)}</Fact>
        <Fact label="Session kept in">{cloud.tokenStorage}</Fact>
      </dl>
      {cloud.connection === 'ONLINE' && cloud.lastError && (
        <p className="calm-note warning">
          <Icon name="alert" />
          <span>Last problem: {cloud.lastError}</span>
        </p>
      )}
      <div className="switch-row">
        <Switch
          label="Sync automatically"
          checked={autoSync}
          describedBy={autoHintId}
          onChange={(enabled) => void setAutoSync(enabled)}
        />
        <p id={autoHintId} className="field-hint">
          {autoSync
            ? 'The station checks the cloud and sends what waits whenever the cloud can be reached.'
            : 'Off: changes go out only when you press Sync now.'}
        </p>
      </div>
      <div className="form-actions">
        <Button icon="signOut" onClick={() => void signOut()} disabled={busy !== null}>
          Sign out
        </Button>
        <p className="field-hint">Forgets the session; what waits to be synced stays queued.</p>
      </div>
    </Card>
  );
}

export function ConnectionBadge({ cloud }: { cloud: CloudStatus | null }) {
  const connection = cloud?.connection ?? 'SIGNED_OUT';
  const view = {
    ONLINE: { icon: 'cloud', text: 'Online', tone: 'cloud-online' },
    OFFLINE: { icon: 'cloudOff', text: 'Offline', tone: 'cloud-offline' },
    SIGN_IN_REQUIRED: { icon: 'alert', text: 'Sign-in required', tone: 'cloud-offline' },
    SIGNED_OUT: { icon: 'cloudOff', text: 'Not signed in', tone: 'cloud-signed-out' },
  } as const;
  const v = view[connection];
  return (
    <Badge tone={v.tone} icon={v.icon}>
      {v.text}
    </Badge>
  );
}
