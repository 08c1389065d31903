import type { CloudConflict, ConflictChoice } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Icon } from '../../components/Icon';
import { TableHead } from '../../components/TableHead';
import { usePageAction } from '../../components/use-dialog-action';
import { formatFullDateTime } from '../../lib/format';
import { useStation } from '../../state/store-context';
import { conflictRows } from './sync-words';

/** Each change the cloud contradicts, with both sides and the technician's two choices. */
export function ConflictList({
  conflicts,
  onChanged,
}: {
  conflicts: readonly CloudConflict[];
  onChanged: () => void;
}) {
  if (conflicts.length === 0) return null;
  return (
    <Card
      title={
        <>
          <Icon name="alert" className="inline-icon warning" />
          Conflicts ({conflicts.length})
        </>
      }
      full
    >
      <p className="muted">
        The cloud changed these while the site changed them too. Choose, for each, which one stays.
      </p>
      <ul className="issue-list">
        {conflicts.map((conflict) => (
          <ConflictItem key={conflict.id} conflict={conflict} onChanged={onChanged} />
        ))}
      </ul>
    </Card>
  );
}

function ConflictItem({ conflict, onChanged }: { conflict: CloudConflict; onChanged: () => void }) {
  const { api } = useStation();
  const { busy, run } = usePageAction<ConflictChoice>();
  const titleId = `conflict-${conflict.id}`;

  const resolve = (choice: ConflictChoice) =>
    run(
      choice,
      async () => {
        const outcome = await api.call('cloud.resolveConflict', { id: conflict.id, choice });
        onChanged();
        const text = `${conflict.label}: ${outcome.message}`;
        return { text, kind: outcome.resolved ? 'success' : 'info' };
      },
      conflict.label,
    );

  return (
    <li className="issue issue-conflict" aria-labelledby={titleId}>
      <div className="issue-text">
        <h3 id={titleId}>{conflict.label}</h3>
        <p>{conflict.message}</p>
        <table className="data-table compact sides">
          <caption className="sr-only">Both sides of {conflict.label}</caption>
          <TableHead columns={['Field', 'On this station (mine)', 'In the cloud']} />
          <tbody>
            {conflictRows(conflict).map((row) => (
              <tr key={row.field} className={row.differs ? 'differs' : undefined}>
                <th scope="row">{row.field}</th>
                <td className="mono wrap">{row.local}</td>
                <td className="mono wrap">{row.cloud}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="cell-sub">Noticed {formatFullDateTime(conflict.createdAt)}</p>
      </div>
      <div className="issue-choices" role="group" aria-label={`Which ${conflict.label} stays`}>
        <div className="choice">
          <Button
            icon="upload"
            disabled={busy !== null}
            aria-label={`Keep mine: ${conflict.label}`}
            onClick={() => void resolve('KEEP_MINE')}
          >
            Keep mine
          </Button>
          <p className="field-hint">{conflict.choices.KEEP_MINE}</p>
        </div>
        <div className="choice">
          <Button
            icon="pull"
            disabled={busy !== null}
            aria-label={`Take the cloud's: ${conflict.label}`}
            onClick={() => void resolve('TAKE_CLOUD')}
          >
            Take the cloud&apos;s
          </Button>
          <p className="field-hint">{conflict.choices.TAKE_CLOUD}</p>
        </div>
      </div>
    </li>
  );
}
