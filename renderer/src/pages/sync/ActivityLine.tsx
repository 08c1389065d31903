import type { SyncActivity } from '../../../../shared/api/entities';
import { ProgressBar } from '../../components/ProgressBar';
import { describeActivity } from '../../lib/sync-activity';

/** A pull or push in progress: a bar when the total is known, the count so far until then. */
export function ActivityLine({ activity, label }: { activity: SyncActivity; label: string }) {
  const { text, percent } = describeActivity(activity);
  return (
    <div className="activity-line">
      {percent !== null ? (
        <ProgressBar percent={percent} label={label} text={`${Math.floor(percent)} %`} />
      ) : (
        <span className="progress">
          <progress max={100} aria-label={label} />
        </span>
      )}
      <span className="activity-text">{text}</span>
    </div>
  );
}
