import type { CloudPendingItem } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { Card } from '../../components/Card';
import { Icon } from '../../components/Icon';
import { usePageAction } from '../../components/use-dialog-action';
import { useStation } from '../../state/store-context';
import { kindLabel } from './sync-words';

/**
 * Changes the cloud refused for good (e.g. a package over its upload limit): what, why, and the
 * two ways on. They are not retried by themselves: that would fail forever.
 */
export function FailedItems({
  items,
  onChanged,
}: {
  items: readonly CloudPendingItem[];
  onChanged: () => void;
}) {
  const { api } = useStation();
  const { busy, run } = usePageAction<number>();
  const failed = items.filter((i) => i.status === 'FAILED');
  if (failed.length === 0) return null;

  const act = (item: CloudPendingItem, action: 'retry' | 'discard') =>
    run(
      item.id,
      async () => {
        await api.call(action === 'retry' ? 'cloud.retryItem' : 'cloud.discardItem', {
          id: item.id,
        });
        onChanged();
        return action === 'retry'
          ? `${item.label}: tried again at the next sync`
          : `${item.label}: discarded; the cloud will not learn this change`;
      },
      item.label,
    );

  return (
    <Card
      title={
        <>
          <Icon name="failed" className="inline-icon error-text" />
          Errors
        </>
      }
      full
    >
      <ul className="issue-list">
        {failed.map((item) => (
          <li key={item.id} className="issue issue-error">
            <div className="issue-text">
              <p>
                <strong>{item.label}</strong>{' '}
                <span className="muted">({kindLabel(item.kind)})</span>
              </p>
              <p className="error-text">{item.error ?? 'The cloud refused this change.'}</p>
            </div>
            <div className="issue-actions">
              <Button
                small
                icon="refresh"
                disabled={busy !== null}
                aria-label={`Try again: ${item.label}`}
                onClick={() => void act(item, 'retry')}
              >
                Try again
              </Button>
              <Button
                small
                icon="trash"
                disabled={busy !== null}
                aria-label={`Discard: ${item.label}`}
                onClick={() => void act(item, 'discard')}
              >
                Discard
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
