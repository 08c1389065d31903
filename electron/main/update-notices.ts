import type { Execution, Job } from '../../shared/api/entities';

export interface Notice {
  kind: 'updated' | 'failed' | 'paused';
  title: string;
  body: string;
}

/** Past this many in one batch, one summary instead of a notification each. */
export const MAX_SEPARATE_NOTICES = 3;
/** Entries remembered to avoid telling twice; the oldest are forgotten first. */
const MEMORY = 10_000;

/**
 * Turns the station's pushed changes into OS notifications: a job finished, a device failed, a
 * job paused itself after too many failures. Each outcome is told once, only for outcomes
 * reached while the app runs (not history replayed by a reload or a sync), and a fleet failing
 * at once gives one summary rather than a flood. A one-device job (every single assignment is
 * one) is told as "<device> updated to <package>", the words of the UI's toast.
 */
export class UpdateNotices {
  /** Execution id -> final state told; cleared when it runs again (a retry). */
  private readonly toldExecutions = new Map<string, 'UPDATED' | 'FAILED'>();
  /** Job id -> what was told ("COMPLETED", or "PAUSED:<reason>"). */
  private readonly toldJobs = new Map<string, string>();
  /** Job id -> device of its latest update, to name the device of a one-device job. */
  private readonly deviceOfJob = new Map<string, string>();

  constructor(private readonly since: number) {}

  /** From an 'executions.changed' batch. */
  takeExecutions(executions: readonly Execution[]): Notice[] {
    const failed: Execution[] = [];
    const updatedOutsideJobs: Execution[] = [];
    for (const execution of executions) {
      if (execution.jobId) remember(this.deviceOfJob, execution.jobId, execution.deviceName);
      const state = execution.state;
      if (state !== 'UPDATED' && state !== 'FAILED') {
        this.toldExecutions.delete(execution.id);
        continue;
      }
      if ((execution.finishedAt ?? execution.updatedAt) < this.since) continue;
      if (this.toldExecutions.get(execution.id) === state) continue;
      remember(this.toldExecutions, execution.id, state);
      if (state === 'FAILED') failed.push(execution);
      // Job updates are told when their job finishes; only job-less (older) ones here.
      else if (!execution.jobId) updatedOutsideJobs.push(execution);
    }
    return [...batch(updatedOutsideJobs, deviceUpdated), ...batch(failed, deviceFailed)];
  }

  /** From a 'jobs.changed' batch. */
  takeJobs(jobs: readonly Job[]): Notice[] {
    const notices: Notice[] = [];
    for (const job of jobs) {
      const key =
        job.status === 'COMPLETED'
          ? 'COMPLETED'
          : job.status === 'PAUSED'
            ? `PAUSED:${job.statusReason ?? ''}`
            : null;
      if (key === null) {
        this.toldJobs.delete(job.id);
        continue;
      }
      if (this.toldJobs.get(job.id) === key) continue;
      if (job.status === 'COMPLETED' && (job.finishedAt ?? 0) < this.since) continue;
      remember(this.toldJobs, job.id, key);
      const notice = job.status === 'COMPLETED' ? this.jobFinished(job) : jobPaused(job);
      if (notice) notices.push(notice);
    }
    return notices;
  }

  private jobFinished(job: Job): Notice | null {
    const { total, updated, failed, canceled } = job.counts;
    const device = this.deviceOfJob.get(job.id);
    if (total === 1 && updated === 1 && device) {
      return {
        kind: 'updated',
        title: `${device} updated`,
        body: `${device} updated to ${job.packageTitle} ${job.packageVersion}`,
      };
    }
    // A one-device job that failed was told by the device's own notice.
    if (total === 1 && failed === 1) return null;
    const parts = [
      `${updated} of ${total} ${total === 1 ? 'device' : 'devices'} updated`,
      ...(failed > 0 ? [`${failed} failed`] : []),
      ...(canceled > 0 ? [`${canceled} canceled`] : []),
    ];
    return {
      kind: failed > 0 ? 'failed' : 'updated',
      title: `Update to ${job.packageTitle} ${job.packageVersion} finished`,
      body: parts.join(', '),
    };
  }
}

function jobPaused(job: Job): Notice {
  return {
    kind: 'paused',
    title: `Update to ${job.packageTitle} ${job.packageVersion} paused`,
    body: job.statusReason ?? 'Paused.',
  };
}

function deviceUpdated(execution: Execution): Notice {
  return {
    kind: 'updated',
    title: `${execution.deviceName} updated`,
    body: `${execution.deviceName} updated to ${execution.packageTitle} ${execution.packageVersion}`,
  };
}

function deviceFailed(execution: Execution): Notice {
  return {
    kind: 'failed',
    title: `${execution.deviceName} failed`,
    body: `Update to ${execution.packageTitle} ${execution.packageVersion} failed: ${execution.error ?? 'no reason given'}`,
  };
}

function batch(executions: readonly Execution[], one: (e: Execution) => Notice): Notice[] {
  if (executions.length <= MAX_SEPARATE_NOTICES) return executions.map(one);
  const failed = executions[0]?.state === 'FAILED';
  const names = executions.slice(0, 3).map((e) => e.deviceName);
  const more = executions.length > names.length ? ', …' : '';
  return [
    {
      kind: failed ? 'failed' : 'updated',
      title: `${executions.length} devices ${failed ? 'failed' : 'updated'}`,
      body: `${names.join(', ')}${more}. See Monitor.`,
    },
  ];
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMORY) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
