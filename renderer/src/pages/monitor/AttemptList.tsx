import type { Execution } from '../../../../shared/api/entities';
import { Icon } from '../../components/Icon';
import { StateBadge } from '../../components/StateBadge';
import { attemptTitle, errorSourceLabel, failedAttempts } from '../../lib/attempts';
import { formatBytes, formatClock, formatDuration } from '../../lib/format';

/**
 * Why the update failed, first cause and latest: after a retry that timed out, the checksum
 * error that started it all is still there, each with whose word it is.
 */
export function FailureSummary({ execution }: { execution: Execution }) {
  const { first, last, count } = failedAttempts(execution);
  if (!first || !last) return null;
  return (
    <div className="form-error failure-summary" role="alert">
      <Icon name="alert" />
      <div>
        <p>
          <strong>
            {count > 1 ? `First error (attempt ${first.number})` : 'Error'} ·{' '}
            {errorSourceLabel(first)}:
          </strong>{' '}
          {first.error}
        </p>
        {count > 1 && (
          <p>
            <strong>
              Last error (attempt {last.number}) · {errorSourceLabel(last)}:
            </strong>{' '}
            {last.error}
          </p>
        )}
      </div>
    </div>
  );
}

/** Every attempt with its times, its bytes, how it ended and who said so. */
export function AttemptList({ execution }: { execution: Execution }) {
  const total = execution.attemptLog.length;
  if (total === 0) return null;
  return (
    <section aria-label={`Attempts of ${execution.deviceName}`}>
      <h3 className="section-title">Attempts</h3>
      <ol className="attempt-list">
        {execution.attemptLog.map((attempt) => (
          <li key={attempt.number} className="attempt">
            <div className="attempt-head">
              <strong>{attemptTitle(attempt, total)}</strong>
              {attempt.outcome ? (
                <StateBadge state={attempt.outcome} />
              ) : (
                <span className="muted">in progress</span>
              )}
            </div>
            <p className="muted">
              <time dateTime={new Date(attempt.startedAt).toISOString()} className="mono">
                {formatClock(attempt.startedAt)}
              </time>
              {attempt.endedAt !== null &&
                ` → ${formatClock(attempt.endedAt)} (${formatDuration(attempt.endedAt - attempt.startedAt)})`}
              {' · '}
              {formatBytes(Math.min(attempt.bytesServed, execution.size))} of{' '}
              {formatBytes(execution.size)} served
              {attempt.note && ` · ${attempt.note}`}
            </p>
            {attempt.error && (
              <p className="error-text">
                <strong>{errorSourceLabel(attempt)}:</strong> {attempt.error}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
