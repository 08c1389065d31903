import type { CloudPendingItem, CloudStatus, PushSummary } from '../../../../shared/api/entities';
import { Card } from '../../components/Card';
import { Icon } from '../../components/Icon';
import { TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import { formatFullDateTime } from '../../lib/format';
import { ActivityLine } from './ActivityLine';
import { describePush, kindLabel, pendingRows, pushNeedsAttention } from './sync-words';

/** What the cloud doesn't know yet, by kind, with the items themselves and the last push. */
export function PendingCard({
  cloud,
  items,
  lastPush,
}: {
  cloud: CloudStatus | null;
  items: readonly CloudPendingItem[];
  lastPush: PushSummary | null;
}) {
  const pushing = cloud?.activity?.kind === 'PUSH' ? cloud.activity : null;
  const waiting = items.filter((i) => i.status === 'PENDING' || i.status === 'WAITING');
  const rows = cloud ? pendingRows(cloud.pending) : [];
  return (
    <Card title="Waiting to be synced">
      {cloud ? (
        <ul className="pending-counts" aria-label="Pending items by kind">
          {rows.map((row) => (
            <li key={row.label} className={row.count > 0 ? 'has-pending' : undefined}>
              <span className="pending-count">{row.count.toLocaleString('en-US')}</span>
              <span className="pending-label">{row.label}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="empty-line">No cloud is set up: nothing is queued for one.</p>
      )}
      {pushing && <ActivityLine activity={pushing} label="Sync progress" />}
      {lastPush && (
        // Unreachable is normal on site (said plainly); conflicts and refusals need a look.
        <p className={`calm-note${pushNeedsAttention(lastPush) ? ' warning' : ''}`} role="status">
          <Icon
            name={pushNeedsAttention(lastPush) ? 'alert' : lastPush.error ? 'info' : 'updated'}
          />
          <span>{lastPush.error ?? describePush(lastPush)}</span>
        </p>
      )}
      {waiting.length > 0 && (
        <TableScroll className="table-short" label="Changes waiting to be synced">
          <table className="data-table compact">
            <TableHead columns={['Change', 'What', 'Note']} />
            <tbody>
              {waiting.map((item) => (
                <tr key={item.id}>
                  <td>{kindLabel(item.kind)}</td>
                  <th scope="row" className="cell-strong">
                    <span
                      className="truncate"
                      title={`${item.label}, since ${formatFullDateTime(item.createdAt)}`}
                    >
                      {item.label}
                    </span>
                  </th>
                  <td className="wrap muted">
                    {item.status === 'WAITING' ? (item.error ?? 'waiting for another change') : ''}
                    {item.status === 'PENDING' && item.attempts > 0
                      ? `tried ${item.attempts}×${item.error ? `: ${item.error}` : ''}`
                      : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Card>
  );
}
