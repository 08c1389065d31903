import type { CloudLogEntry } from '../../../../shared/api/entities';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import type { IconName } from '../../components/Icon';
import { TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import { formatClock, formatFullDateTime } from '../../lib/format';

const LEVEL: Record<CloudLogEntry['level'], { icon: IconName; className: string }> = {
  info: { icon: 'info', className: 'log-info' },
  warning: { icon: 'alert', className: 'log-warning' },
  error: { icon: 'failed', className: 'log-error' },
};

/** The sync log as it is written (pushed as cloud.log events), newest first. */
export function SyncLog({ entries }: { entries: readonly CloudLogEntry[] }) {
  return (
    <Card title="Sync log" full>
      {entries.length === 0 ? (
        <p className="empty-line">Nothing yet: sign-ins, pulls and syncs are written here.</p>
      ) : (
        <TableScroll className="table-limited" label="Sync log table">
          <table className="data-table compact">
            <caption className="sr-only">Newest first</caption>
            <TableHead columns={['Time', 'Level', 'Message']} />
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="mono" title={formatFullDateTime(entry.at)}>
                    {formatClock(entry.at)}
                  </td>
                  <td>
                    <Badge tone={LEVEL[entry.level].className} icon={LEVEL[entry.level].icon}>
                      {entry.level}
                    </Badge>
                  </td>
                  <td className="wrap">{entry.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Card>
  );
}
