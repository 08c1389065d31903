import type { Execution } from '../../../../shared/api/entities';
import { FINAL_STATES } from '../../../../shared/protocol/states';
import { Button } from '../../components/Button';
import { DetailsPanel } from '../../components/DetailsPanel';
import { Fact } from '../../components/Fact';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { StateBadge } from '../../components/StateBadge';
import { usePageAction } from '../../components/use-dialog-action';
import { executionFigures, stallAdvice } from '../../lib/execution-progress';
import {
  formatBytes,
  formatClock,
  formatDuration,
  formatExactBytes,
  formatFullDateTime,
  formatSpeed,
} from '../../lib/format';
import { useStation } from '../../state/store-context';
import { PACKAGE_TYPE_LABEL } from '../packages/PackageTypeField';
import { AttemptList, FailureSummary } from './AttemptList';

/** One update in full: figures, the error if it failed, and the state timeline with times. */
export function ExecutionDetails({
  execution,
  now,
  onClose,
}: {
  execution: Execution;
  now: number;
  onClose: () => void;
}) {
  const { api, store } = useStation();
  const { busy, run } = usePageAction();
  const figures = executionFigures(
    execution,
    FINAL_STATES.has(execution.state) ? execution.updatedAt : now,
  );
  const name = `${execution.packageTitle} ${execution.packageVersion}`;
  const failed = execution.state === 'FAILED' || execution.state === 'TIMED_OUT';
  const retry = () =>
    run(
      true,
      async () => {
        store.putExecution(await api.call('executions.retry', { id: execution.id }));
        return `${execution.deviceName}: ${name} sent again`;
      },
      `${execution.deviceName}: could not retry`,
    );
  return (
    <DetailsPanel
      label={`Update of ${execution.deviceName}`}
      title={execution.deviceName}
      subtitle={`${PACKAGE_TYPE_LABEL[execution.type]} ${name}`}
      onClose={onClose}
    >
      <StateBadge state={execution.state} />
      <FailureSummary execution={execution} />
      {failed && (
        <Button icon="refresh" onClick={() => void retry()} disabled={busy !== null}>
          Retry update
        </Button>
      )}
      {figures.stalledMs !== null && (
        <div className="stall-note" role="status">
          <Icon name="alert" />
          <span>{stallAdvice(execution, figures.stalledMs)}</span>
        </div>
      )}
      <ProgressBar
        percent={figures.percent}
        label={`${name} to ${execution.deviceName}`}
        tone={failed ? 'failed' : execution.state === 'UPDATED' ? 'done' : 'normal'}
      />
      <dl className="facts facts-compact">
        <Fact label="Bytes served (this attempt)" title={formatExactBytes(execution.bytesServed)}>
          {formatBytes(Math.min(execution.bytesServed, execution.size))} of{' '}
          {formatBytes(execution.size)}
        </Fact>
        <Fact label="Speed">{formatSpeed(figures.bytesPerSecond)}</Fact>
        <Fact label="Elapsed">{formatDuration(figures.elapsedMs)}</Fact>
        <Fact label="ETA">{figures.etaMs === null ? '—' : formatDuration(figures.etaMs)}</Fact>
        <Fact label="Attempts">{execution.attempts}</Fact>
        <Fact label="Started">{formatFullDateTime(execution.createdAt)}</Fact>
      </dl>
      <AttemptList execution={execution} />
      <h3 className="section-title">Timeline</h3>
      <ol className="timeline" aria-label="Timeline">
        {execution.history.map((change, index) => {
          const previous = execution.history[index - 1];
          return (
            <li key={`${change.state}-${change.at}-${index}`}>
              <time dateTime={new Date(change.at).toISOString()} className="mono">
                {formatClock(change.at)}
              </time>
              <StateBadge state={change.state} />
              {previous && (
                <span className="muted">+{formatDuration(change.at - previous.at)}</span>
              )}
              {change.detail && <span className="timeline-detail">{change.detail}</span>}
            </li>
          );
        })}
      </ol>
    </DetailsPanel>
  );
}
