import { useDeferredValue, useMemo, useState } from 'react';

import type { Job } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { SearchField } from '../../components/SearchField';
import { orderJobs } from '../../lib/job-figures';
import { useSort } from '../../lib/sorting';
import { goTo } from '../../lib/use-hash-route';
import { useNow } from '../../lib/use-now';
import { executionsByJob as groupByJob } from '../../state/job-summary';
import { useSlice } from '../../state/store-context';
import { CancelJobDialog } from './CancelJobDialog';
import {
  type ExecutionColumn,
  type ExecutionKind,
  kindOf,
  orderExecutions,
} from './execution-order';
import { ExecutionDetails } from './ExecutionDetails';
import { ExecutionTable } from './ExecutionTable';
import { JobsSection } from './JobsSection';
import { NewJobDialog } from './NewJobDialog';

type OpenDialog = { kind: 'new' } | { kind: 'cancel'; job: Job };

export type ExecutionFilter = 'all' | ExecutionKind;

/** The job row's own words and order: "N updated · N active · N queued · N failed · N canceled". */
const FILTERS: { value: ExecutionFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'updated', label: 'Updated' },
  { value: 'active', label: 'Active' },
  { value: 'queued', label: 'Queued' },
  { value: 'failed', label: 'Failed' },
  { value: 'canceled', label: 'Canceled' },
];

/**
 * Jobs and every update, live from the station's pushed events (batched by the store, never
 * polled). Choosing a job narrows the updates to its devices.
 */
export function MonitorPage() {
  const executions = useSlice('executions');
  const allJobs = useSlice('jobs');
  const loaded = useSlice('loaded');
  const now = useNow(1_000);
  const [filter, setFilter] = useState<ExecutionFilter>('all');
  const [query, setQuery] = useState('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [selectedJobId, setSelectedJobId] = useState<string | null>(null);
  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  const [sort, toggleSort] = useSort<ExecutionColumn>({ key: 'started', direction: 'descending' });
  const [failedFirst, setFailedFirst] = useState(false);
  const deferredQuery = useDeferredValue(query);

  const jobs = useMemo(() => orderJobs(allJobs), [allJobs]);
  const selectedJob = selectedJobId ? (allJobs.find((j) => j.id === selectedJobId) ?? null) : null;
  const executionsByJob = useMemo(() => groupByJob(executions), [executions]);
  const scoped = useMemo(
    () => (selectedJob ? (executionsByJob.get(selectedJob.id) ?? []) : executions),
    [selectedJob, executionsByJob, executions],
  );

  const counts = useMemo(() => {
    const c = { all: scoped.length, active: 0, queued: 0, updated: 0, failed: 0, canceled: 0 };
    for (const e of scoped) c[kindOf(e)] += 1;
    return c;
  }, [scoped]);

  // Live columns (speed, elapsed, ETA) re-sort as time passes; the others only on changes.
  const live = sort.key === 'speed' || sort.key === 'elapsed' || sort.key === 'eta';
  const sortNow = live ? now : 0;
  const shown = useMemo(() => {
    const words = deferredQuery.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matching = scoped.filter((e) => {
      if (filter !== 'all' && kindOf(e) !== filter) return false;
      if (words.length === 0) return true;
      const text =
        `${e.deviceName} ${e.packageTitle} ${e.packageVersion} ${e.state} ${kindOf(e)}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    return orderExecutions(matching, sort, failedFirst, sortNow);
  }, [scoped, filter, deferredQuery, sort, failedFirst, sortNow]);

  const selected = selectedId ? (executions.find((e) => e.id === selectedId) ?? null) : null;

  return (
    <>
      <PageHeader
        title="Monitor"
        description="Jobs and every update as devices report it: state, bytes served, speed and the timeline."
        actions={
          <Button look="primary" icon="plus" onClick={() => setDialog({ kind: 'new' })}>
            New job
          </Button>
        }
      />
      {loaded && jobs.length > 0 && (
        <JobsSection
          jobs={jobs}
          executionsByJob={executionsByJob}
          selectedJobId={selectedJob?.id ?? null}
          onSelect={setSelectedJobId}
          onCancel={(job) => setDialog({ kind: 'cancel', job })}
          now={now}
        />
      )}
      {!loaded ? (
        <p className="loading-line">Loading updates…</p>
      ) : executions.length === 0 ? (
        <EmptyState
          icon="monitor"
          title="No updates yet"
          action={
            <Button look="primary" icon="devices" onClick={() => goTo('devices')}>
              Go to Devices
            </Button>
          }
        >
          Start a rollout with New job (top right), or assign firmware to one device (Devices → Edit
          → Firmware → Apply). Each update appears here live, from QUEUED to UPDATED.
        </EmptyState>
      ) : (
        <>
          <div className="toolbar">
            <fieldset className="segmented">
              <legend className="sr-only">Show updates</legend>
              {FILTERS.map((f) => (
                <label
                  key={f.value}
                  className={filter === f.value ? 'segment segment-on' : 'segment'}
                >
                  <input
                    type="radio"
                    name="execution-filter"
                    value={f.value}
                    checked={filter === f.value}
                    onChange={() => setFilter(f.value)}
                  />
                  {f.label}
                  <span className="segment-count">{counts[f.value].toLocaleString('en-US')}</span>
                </label>
              ))}
            </fieldset>
            <SearchField
              label="Search updates"
              className="toolbar-search"
              placeholder="Device, package, state…"
              value={query}
              onChange={setQuery}
            />
            <label className="check-row">
              <input
                type="checkbox"
                checked={failedFirst}
                onChange={(e) => setFailedFirst(e.target.checked)}
              />
              Failed first
              {counts.failed > 0 && <span className="segment-count">{counts.failed}</span>}
            </label>
          </div>
          <div className={selected ? 'monitor-split with-details' : 'monitor-split'}>
            {shown.length === 0 ? (
              <EmptyState
                icon="search"
                title="No update matches"
                action={
                  <Button
                    onClick={() => {
                      setFilter('all');
                      setQuery('');
                      setSelectedJobId(null);
                    }}
                  >
                    Show all updates
                  </Button>
                }
              >
                Nothing matches this filter.
              </EmptyState>
            ) : (
              <ExecutionTable
                executions={shown}
                sort={sort}
                onSort={toggleSort}
                now={now}
                selectedId={selectedId}
                onSelect={setSelectedId}
              />
            )}
            {selected && (
              <ExecutionDetails
                execution={selected}
                now={now}
                onClose={() => setSelectedId(null)}
              />
            )}
          </div>
        </>
      )}
      {dialog?.kind === 'new' && (
        <NewJobDialog
          onClose={() => setDialog(null)}
          onCreated={(job) => setSelectedJobId(job.id)}
        />
      )}
      {dialog?.kind === 'cancel' && (
        <CancelJobDialog job={dialog.job} onClose={() => setDialog(null)} />
      )}
    </>
  );
}
