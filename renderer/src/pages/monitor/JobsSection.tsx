import { useState } from 'react';

import type { Execution, Job } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import { formatCount } from '../../lib/format';
import { isOpenJob, jobName, jobTargetText } from '../../lib/job-figures';
import { JobRow } from './JobRow';

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
  const open = rollouts.filter((j) => isOpenJob(j)).length;
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
            <Button small onClick={() => onSelect(null)}>
              Updates of all jobs
            </Button>
          </>
        ) : (
          <p className="muted">
            {open} open · {rollouts.length - open} finished
            {singlesNote && ` · ${singlesNote}`} · choose a job to see its updates
          </p>
        )}
      </div>
      <TableScroll className="jobs-scroll" label="Jobs table">
        <table className="data-table job-table">
          <TableHead
            columns={[
              { label: 'Job', className: 'col-job' },
              { label: 'Status · devices', className: 'col-job-status' },
              'Bytes served · ETA',
              { label: 'Actions', className: 'col-job-actions', hidden: true },
            ]}
          />
          <tbody>
            {shown.map((job) => (
              <JobRow
                key={job.id}
                job={job}
                executions={executionsByJob.get(job.id)}
                // Finished jobs don't tick.
                now={isOpenJob(job) ? now : 0}
                selected={job.id === selectedJobId}
                onSelect={onSelect}
                onCancel={onCancel}
              />
            ))}
          </tbody>
        </table>
      </TableScroll>
      {!selected && !showAll && jobs.length > shown.length && (
        <Button look="quiet" onClick={() => setShowAll(true)}>
          Show all {jobs.length.toLocaleString('en-US')} jobs
        </Button>
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
