import { memo } from 'react';

import type { Execution, Job } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { JobStatusBadge } from '../../components/JobStatusBadge';
import { MiddleText } from '../../components/MiddleText';
import { jobSubject } from '../../components/notices';
import { closeMenuOf, PopoverMenu } from '../../components/PopoverMenu';
import { ProgressBar } from '../../components/ProgressBar';
import { usePageAction } from '../../components/use-dialog-action';
import { saveTextFile } from '../../lib/download';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
  formatExactBytes,
} from '../../lib/format';
import {
  describePolicy,
  failureText,
  isOpenJob,
  jobFigures,
  jobName,
  jobTargetText,
} from '../../lib/job-figures';
import { useStation } from '../../state/store-context';
import { PACKAGE_TYPE_LABEL } from '../packages/PackageTypeField';

/**
 * One rollout: its name (which chooses it, to see its updates below), status, counts, bytes and
 * its actions on one line, so a chosen job leaves the window to its updates.
 */
export const JobRow = memo(function JobRow({
  job,
  executions,
  now,
  selected,
  onSelect,
  onCancel,
}: {
  job: Job;
  executions: readonly Execution[] | undefined;
  now: number;
  selected: boolean;
  onSelect: (id: string | null) => void;
  onCancel: (job: Job) => void;
}) {
  const { api, store } = useStation();
  const { busy, run } = usePageAction<'retry' | 'pause' | 'resume' | 'report'>();
  const figures = jobFigures(job, executions, now);
  const name = jobName(job);
  const what = `job ${name} (${jobTargetText(job)})`;
  const { counts } = job;
  const autoPaused = job.status === 'PAUSED' && job.statusReason?.startsWith('Auto-paused');

  const retryFailed = () =>
    run(
      'retry',
      async () => {
        store.putJob(await api.call('jobs.retryFailed', { id: job.id }));
        return `Job ${name}: ${formatCount(counts.failed + counts.retrying, 'failed device')} sent again`;
      },
      `Could not retry the failed devices of job ${name}`,
    );

  const act = (action: 'pause' | 'resume') =>
    run(
      action,
      async () => {
        const call = action === 'pause' ? 'jobs.pause' : 'jobs.resume';
        store.putJob(await api.call(call, { id: job.id }));
        return `Job ${name} ${action === 'pause' ? 'paused' : 'resumed'}`;
      },
      `Could not ${action} job ${name}`,
      jobSubject(job.id),
    );

  const report = (format: 'csv' | 'json') =>
    run(
      'report',
      async () => {
        const file = await api.call('jobs.report', { id: job.id, format });
        saveTextFile(file.fileName, file.contentType, file.body);
        return `Report ${file.fileName} downloaded`;
      },
      `Could not make the report of job ${name}`,
    );

  return (
    <tr className={selected ? 'row-selected' : undefined}>
      <th scope="row">
        <span className="cell-stack">
          <button
            type="button"
            className="link-button job-name"
            aria-pressed={selected}
            aria-label={`Show the updates of ${what}`}
            title={selected ? 'Showing its updates below' : 'Show its updates below'}
            onClick={() => onSelect(selected ? null : job.id)}
          >
            <MiddleText text={name} />
          </button>
          <span className="cell-sub">
            {jobTargetText(job)} · {PACKAGE_TYPE_LABEL[job.type]} · {formatDateTime(job.createdAt)}
          </span>
          <span className="cell-sub truncate policy-line" title={describePolicy(job.policy)}>
            {describePolicy(job.policy)}
          </span>
        </span>
      </th>
      <td>
        <span className="cell-stack">
          <JobStatusBadge job={job} />
          {job.status === 'SCHEDULED' && (
            <span className="cell-sub">Starts {formatDateTime(job.startAt)}</span>
          )}
          {job.statusReason && job.status !== 'COMPLETED' && (
            <span className={`cell-sub wrap-sub${autoPaused ? ' warning' : ''}`}>
              {job.statusReason}
            </span>
          )}
          <span className="job-count-main">
            {counts.updated}/{counts.total} updated
          </span>
          <span className="cell-sub">
            <span className="count-part">{counts.active} active</span> ·{' '}
            <span className="count-part">{counts.queued} queued</span> ·{' '}
            <span
              className={
                counts.failed + counts.retrying > 0 ? 'count-part error-text' : 'count-part'
              }
            >
              {failureText(job)}
            </span>
            {counts.canceled > 0 && (
              <>
                {' · '}
                <span className="count-part">{counts.canceled} canceled</span>
              </>
            )}
          </span>
        </span>
      </td>
      <td title={formatExactBytes(figures.bytesServed)}>
        <span className="cell-stack">
          <ProgressBar
            percent={figures.percent}
            label={`Bytes served of ${what}`}
            tone={counts.failed > 0 ? 'failed' : job.status === 'COMPLETED' ? 'done' : 'normal'}
            text={`${Math.floor(figures.percent)} % · ${formatBytes(figures.bytesServed)} / ${formatBytes(figures.bytesTotal)}`}
          />
          {figures.etaSeconds !== null && (
            <span className="cell-sub">ETA {formatDuration(figures.etaSeconds * 1000)}</span>
          )}
        </span>
      </td>
      <td className="row-actions">
        <span className="job-actions">
          {hasFailedNow(executions, counts.failed) && (
            <Button
              small
              icon="refresh"
              aria-label={`Retry all failed devices of ${what}`}
              disabled={busy !== null}
              onClick={() => void retryFailed()}
            >
              Retry all failed
            </Button>
          )}
          {(job.status === 'RUNNING' || job.status === 'SCHEDULED') && (
            <Button
              small
              icon="pause"
              aria-label={`Pause ${what}`}
              disabled={busy !== null}
              onClick={() => void act('pause')}
            >
              Pause
            </Button>
          )}
          {job.status === 'PAUSED' && (
            <Button
              small
              icon="play"
              aria-label={`Resume ${what}`}
              disabled={busy !== null}
              onClick={() => void act('resume')}
            >
              Resume
            </Button>
          )}
          {isOpenJob(job) && (
            <Button
              small
              icon="canceled"
              aria-label={`Cancel ${what}…`}
              disabled={busy !== null}
              onClick={() => onCancel(job)}
            >
              Cancel…
            </Button>
          )}
          <PopoverMenu
            label="Report"
            icon="download"
            name={`Report of ${what}`}
            disabled={busy !== null}
          >
            {(['csv', 'json'] as const).map((format) => (
              <Button
                small
                look="quiet"
                icon="download"
                key={format}
                aria-label={`Download the ${format.toUpperCase()} report of ${what}`}
                title="Device, start, end, duration, bytes, attempts, result, first and last error"
                onClick={(event) => {
                  closeMenuOf(event.currentTarget);
                  void report(format);
                }}
              >
                {format.toUpperCase()}
              </Button>
            ))}
          </PopoverMenu>
        </span>
      </td>
    </tr>
  );
});

/** Devices the job could send again now: their update ended FAILED or TIMED_OUT. */
function hasFailedNow(executions: readonly Execution[] | undefined, failed: number): boolean {
  if (!executions) return failed > 0;
  return executions.some((e) => e.state === 'FAILED' || e.state === 'TIMED_OUT');
}
