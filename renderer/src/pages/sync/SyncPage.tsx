import { useState } from 'react';

import type { PushSummary } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { usePageAction } from '../../components/use-dialog-action';
import { useNow } from '../../lib/use-now';
import { useSlice, useStation } from '../../state/store-context';
import { AccountCard, ConnectionBadge } from './AccountCard';
import { ConflictList } from './ConflictList';
import { FailedItems } from './FailedItems';
import { PendingCard } from './PendingCard';
import { SignInForm } from './SignInForm';
import { SiteVisitCard } from './SiteVisitCard';
import { describePush, pushNeedsAttention } from './sync-words';
import { SyncLog } from './SyncLog';
import { useCloudLists } from './use-cloud-lists';

/**
 * The ServicePleX cloud: account, site pull, what waits to be pushed, conflicts, errors and the
 * log. Offline is normal here: everything shown comes from the station, which keeps working.
 */
export function SyncPage() {
  const { api, store } = useStation();
  const cloud = useSlice('cloud');
  const log = useSlice('cloudLog');
  const loaded = useSlice('loaded');
  const now = useNow(10_000);
  const lists = useCloudLists(cloud);
  const { busy, run } = usePageAction();
  const pushing = busy !== null;
  const [lastPush, setLastPush] = useState<PushSummary | null>(null);
  const signedIn = cloud?.connection === 'ONLINE' || cloud?.connection === 'OFFLINE';
  // After our own actions: the lists, and the counts (the station's last event may predate them).
  const refresh = () => {
    lists.reload();
    void store.refreshCloud();
  };

  const syncNow = () =>
    run(
      true,
      async () => {
        try {
          const summary = await api.call('cloud.push', {});
          setLastPush(summary);
          const attention = summary.error !== null || pushNeedsAttention(summary);
          return {
            text: summary.error ?? describePush(summary),
            kind: attention ? 'info' : 'success',
          };
        } finally {
          refresh();
        }
      },
      'Could not sync',
    );

  return (
    <>
      <PageHeader
        title="Sync"
        description="The ServicePleX cloud: prepare a site visit before going offline, and send what happened on site when the cloud is back."
        actions={
          <Button
            look="primary"
            icon="sync"
            onClick={() => void syncNow()}
            disabled={!signedIn || pushing || (cloud?.activity ?? null) !== null}
          >
            {pushing ? 'Syncing…' : 'Sync now'}
          </Button>
        }
      />
      {!loaded ? (
        <p className="loading-line">Loading the sync status…</p>
      ) : (
        <>
          <div className="cards">
            {signedIn && cloud ? (
              <AccountCard cloud={cloud} now={now} />
            ) : (
              <Card title="Sign in to the cloud" aside={<ConnectionBadge cloud={cloud} />}>
                <p className="muted">
                  The station works without the cloud. Signing in lets it bring the site here before
                  the visit and send what happened on site afterwards.
                </p>
                <SignInForm cloud={cloud} />
              </Card>
            )}
            <SiteVisitCard cloud={cloud} signedIn={signedIn} />
            <PendingCard cloud={cloud} items={lists.pending} lastPush={lastPush} />
          </div>
          {lists.error && (
            <p className="calm-note warning" role="status">
              <Icon name="alert" />
              <span>Could not read the sync queue: {lists.error}</span>
            </p>
          )}
          <ConflictList conflicts={lists.conflicts} onChanged={refresh} />
          <FailedItems items={lists.pending} onChanged={refresh} />
          <SyncLog entries={log} />
        </>
      )}
    </>
  );
}
