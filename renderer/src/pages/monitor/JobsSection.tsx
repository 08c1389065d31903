import { memo, useState } from 'react';
import type { Execution, Job } from '../../../../shared/api/entities';
import { messageOf } from '../../api/validate-input';
import { Icon } from '../../components/Icon';
import { JobStatusBadge } from '../../components/JobStatusBadge';
import { ProgressBar } from '../../components/ProgressBar';
import { jobSubject } from '../../components/notices';
import { useNotifier } from '../../components/Toasts';
import { TableScroll } from '../../components/TableScroll';
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
  jobFigures,
  jobName,
  jobTargetText,
} from '../../lib/job-figures';
import { useStation } from '../../state/store-context';
import { PACKAGE_TYPE_LABEL } from '../packages/PackageTypeField';

/** Finished jobs shown before "Show all": single assignments are jobs too and pile up. */
const FINISHED_SHOWN = 10;
/** The table is not virtualised: beyond this many rows every live update would cost a long task. */
const MAX_ROWS = 200;

/** Each rollout with its aggregate progress and its actions; choosing one filters the updates. */
export function JobsSection({
  jobs,
  executionsByJob,
  selectedJobId,
  onSelect,
  onCancel,
  now,
}: {
  /** Open first, newest first (orderJobs). */
  jobs: readonly Job[];
  executionsByJob: ReadonlyMap<string, readonly Execution[]>;
  selectedJobId: string | null;
  onSelect: (id: string | null) => void;
  onCancel: (job: Job) => void;
  now: number;
}) {
  const [showAll, setShowAll] = useState(false);
  // An "Assign firmware" on one device is a job of one: its progress is the update row below.
  // Listing hundreds of those here would bury the rollouts (and re-render them every flush).
  const rollouts = jobs.filter((j) => !isSingleDevice(j) || j.id === selectedJobId);
  const singles = jobs.length - rollouts.length;
  const open = rollouts.filter((j) => isOpen(j)).length;
  const limit = open + FINISHED_SHOWN;
  const selected = selectedJobId ? jobs.find((j) => j.id === selectedJobId) : undefined;
  // A chosen job is shown alone, so its updates start near the top of the window.
  const shown = selected
    ? [selected]
    : (showAll ? jobs : rollouts.filter((j, i) => i < limit)).slice(0, MAX_ROWS);
  const singlesNote =
    singles > 0 && !showAll
      ? `${formatCount(singles, 'single-device assignment')} (see Updates)`
      : null;
  if (shown.length === 0) {
    // Only single-device assignments: nothing to list here; their updates are below.
    return (
      <section className="jobs-section" aria-labelledby="jobs-title">
        <div className="section-head">
          <h2 id="jobs-title">Jobs</h2>
          <p className="muted">No rollout yet{singlesNote && ` · ${singlesNote}`}</p>
        </div>
      </section>
    );
  }
  return (
    <section className="jobs-section" aria-labelledby="jobs-title">
      <div className="section-head">
        <h2 id="jobs-title">Jobs</h2>
        {selected ? (
          <>
            <p className="job-filter-note">
              Showing the updates of job <strong>{jobName(selected)}</strong> (
              {jobTargetText(selected)})
            </p>
            <button type="button" className="button button-small" onClick={() => onSelect(null)}>
              Updates of all jobs
            </button>
          </>
        ) : (
          <p className="muted">
            {open} open · {rollouts.length - open} finished
            {singlesNote && ` · ${singlesNote}`}
          </p>
        )}
      </div>
      <TableScroll className="jobs-scroll" label="Jobs table">
        <table className="data-table job-table">
          <thead>
            <tr>
              <th scope="col" className="col-job">
                Job
              </th>
              <th scope="col">Status</th>
              <th scope="col">Devices</th>
              <th scope="col">Bytes served · ETA</th>
              <th scope="col" className="col-job-actions">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((job) => (
              <JobRow
                key={job.id}
                job={job}
                executions={executionsByJob.get(job.id)}
                // Finished jobs don't tick.
                now={isOpen(job) ? now : 0}
                selected={job.id === selectedJobId}
                onSelect={onSelect}
                onCancel={onCancel}
              />
            ))}
          </tbody>
        </table>
      </TableScroll>
      {!selected && !showAll && jobs.length > shown.length && (
        <button type="button" className="button button-quiet" onClick={() => setShowAll(true)}>
          Show all {jobs.length.toLocaleString('en-US')} jobs
        </button>
      )}
      {showAll && jobs.length > MAX_ROWS && (
        <p className="muted">
          The {MAX_ROWS} newest of {jobs.length.toLocaleString('en-US')} jobs are shown.
        </p>
      )}
    </section>
  );
}

function isSingleDevice(job: Job): boolean {
  return job.target.kind === 'DEVICES' && job.counts.total === 1;
}

function isOpen(job: Job): boolean {
  return job.status === 'RUNNING' || job.status === 'PAUSED' || job.status === 'SCHEDULED';
}

const JobRow = memo(function JobRow({
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
  const { toast } = useNotifier();
  const [busy, setBusy] = useState<string | null>(null);
  const figures = jobFigures(job, executions, now);
  const name = jobName(job);
  const what = `job ${name} (${jobTargetText(job)})`;
  const { counts } = job;
  const autoPaused = job.status === 'PAUSED' && job.statusReason?.startsWith('Auto-paused');

  const retryFailed = async () => {
    setBusy('retry');
    try {
      const next = await api.call('jobs.retryFailed', { id: job.id });
      store.putJob(next);
      toast(
        'success',
        `Job ${name}: ${formatCount(counts.failed + counts.retrying, 'failed device')} sent again`,
      );
    } catch (error) {
      toast('error', `Could not retry the failed devices of job ${name}: ${messageOf(error)}`);
    } finally {
      setBusy(null);
    }
  };

  const act = async (action: 'pause' | 'resume') => {
    setBusy(action);
    try {
      const next = await api.call(action === 'pause' ? 'jobs.pause' : 'jobs.resume', {
        id: job.id,
      });
      store.putJob(next);
      toast('success', `Job ${name} ${action === 'pause' ? 'paused' : 'resumed'}`, {
        subject: jobSubject(job.id),
      });
    } catch (error) {
      toast('error', `Could not ${action} job ${name}: ${messageOf(error)}`, {
        subject: jobSubject(job.id),
      });
    } finally {
      setBusy(null);
    }
  };

  const report = async (format: 'csv' | 'json') => {
    setBusy(format);
    try {
      const file = await api.call('jobs.report', { id: job.id, format });
      saveTextFile(file.fileName, file.contentType, file.body);
      toast('success', `Report ${file.fileName} downloaded`);
    } catch (error) {
      toast('error', `Could not make the report of job ${name}: ${messageOf(error)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <tr className={selected ? 'row-selected' : undefined}>
      <th scope="row" className="cell-strong">
        <span className="cell-stack">
          <span className="truncate" title={name}>
            {job.packageTitle} <span className="mono">{job.packageVersion}</span>
          </span>
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
        </span>
      </td>
      <td>
        <span className="job-counts">
          <span className="job-count-main">
            {counts.updated}/{counts.total} updated
          </span>
          <span className="cell-sub">
            {counts.active} active · {counts.queued} queued ·{' '}
            <span className={counts.failed + counts.retrying > 0 ? 'error-text' : undefined}>
              {failureText(job)}
            </span>
            {counts.canceled > 0 && ` · ${counts.canceled} canceled`}
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
          <button
            type="button"
            className="button button-small"
            aria-pressed={selected}
            aria-label={`Show the updates of ${what}`}
            onClick={() => onSelect(selected ? null : job.id)}
          >
            Updates
          </button>
          {hasFailedNow(executions, counts.failed) && (
            <button
              type="button"
              className="button button-small"
              aria-label={`Retry all failed devices of ${what}`}
              disabled={busy !== null}
              onClick={() => void retryFailed()}
            >
              <Icon name="refresh" />
              Retry all failed
            </button>
          )}
          {(job.status === 'RUNNING' || job.status === 'SCHEDULED') && (
            <button
              type="button"
              className="button button-small"
              aria-label={`Pause ${what}`}
              disabled={busy !== null}
              onClick={() => void act('pause')}
            >
              <Icon name="pause" />
              Pause
            </button>
          )}
          {job.status === 'PAUSED' && (
            <button
              type="button"
              className="button button-small"
              aria-label={`Resume ${what}`}
              disabled={busy !== null}
              onClick={() => void act('resume')}
            >
              <Icon name="play" />
              Resume
            </button>
          )}
          {isOpen(job) && (
            <button
              type="button"
              className="button button-small"
              aria-label={`Cancel ${what}…`}
              disabled={busy !== null}
              onClick={() => onCancel(job)}
            >
              <Icon name="canceled" />
              Cancel…
            </button>
          )}
        </span>
        <span className="job-actions" role="group" aria-label={`Report of ${what}`}>
          <span className="report-label" aria-hidden="true">
            Report
          </span>
          {(['csv', 'json'] as const).map((format) => (
            <button
              key={format}
              type="button"
              className="button button-small"
              aria-label={`Download the ${format.toUpperCase()} report of ${what}`}
              title={`Download the report (${format.toUpperCase()}): device, start, end, duration, bytes, attempts, result, error`}
              disabled={busy !== null}
              onClick={() => void report(format)}
            >
              <Icon name="download" />
              {format.toUpperCase()}
            </button>
          ))}
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
