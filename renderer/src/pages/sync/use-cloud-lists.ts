import { useCallback, useEffect, useRef, useState } from 'react';

import type { CloudConflict, CloudPendingItem, CloudStatus } from '../../../../shared/api/entities';
import { messageOf } from '../../api/validate-input';
import { useStation } from '../../state/store-context';

export interface CloudLists {
  pending: readonly CloudPendingItem[];
  conflicts: readonly CloudConflict[];
  /** Why the lists could not be read (they keep their last content). */
  error: string | null;
  reload: () => void;
}

/**
 * The outbox items and conflicts in full. The station pushes only their counts (cloud.status),
 * so the lists are fetched again whenever those counts move, and after our own actions.
 */
export function useCloudLists(cloud: CloudStatus | null): CloudLists {
  const { api } = useStation();
  const [pending, setPending] = useState<readonly CloudPendingItem[]>([]);
  const [conflicts, setConflicts] = useState<readonly CloudConflict[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [nudge, setNudge] = useState(0);
  const generation = useRef(0);
  // What changes the lists; progress ticks of a running push alone don't.
  const key = cloud
    ? JSON.stringify([
        cloud.pending,
        cloud.conflicts,
        cloud.failed,
        cloud.lastPushAt,
        cloud.activity?.kind ?? null,
      ])
    : 'none';

  useEffect(() => {
    const mine = ++generation.current;
    Promise.all([api.call('cloud.pending', {}), api.call('cloud.conflicts', {})]).then(
      ([items, found]) => {
        if (mine !== generation.current) return;
        setPending(items);
        setConflicts(found);
        setError(null);
      },
      (e: unknown) => {
        if (mine === generation.current) setError(messageOf(e));
      },
    );
  }, [api, key, nudge]);

  const reload = useCallback(() => setNudge((n) => n + 1), []);
  return { pending, conflicts, error, reload };
}
