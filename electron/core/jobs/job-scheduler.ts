import type { JobPolicy } from '../../../shared/api/entities';
import type { OtaState } from '../../../shared/protocol/states';
import type { OtaService } from '../ota/ota-service';
import type { ExecutionRepository, JobExecutionRow } from '../repositories/executions';
import type { JobRepository } from '../repositories/jobs';
import { haltReason, isFinalFailure } from './job-policy';

/** States that hold a download slot: the device has been told and is fetching. */
const DOWNLOAD_SLOT_STATES: readonly OtaState[] = ['INITIATED', 'DOWNLOADING'];
/** States in which a device is expected to make progress (the time-out clock runs). */
const IN_PROGRESS_STATES: readonly OtaState[] = [
  'INITIATED',
  'DOWNLOADING',
  'DOWNLOADED',
  'VERIFIED',
  'UPDATING',
];
const NOT_FINISHED_STATES: readonly OtaState[] = ['QUEUED', ...IN_PROGRESS_STATES];
const FAILED_STATES: readonly OtaState[] = ['FAILED', 'TIMED_OUT'];

/**
 * Moves a job forward from what is in the database alone (no timers of its own to lose):
 * starts it when due, times out silent devices, retries, auto-pauses, fills free download
 * slots, completes. Safe to run at any moment, any number of times, and after a restart.
 */
export class JobScheduler {
  constructor(
    private readonly jobs: JobRepository,
    private readonly executions: ExecutionRepository,
    private readonly ota: OtaService,
    private readonly isOnline: (deviceId: string) => boolean,
    /** Reports jobs whose status or figures changed. */
    private readonly onJobChanged: (jobId: string) => void,
  ) {}

  step(jobId: string, now: number): void {
    const job = this.jobs.schedulingOf(jobId);
    if (!job) return;
    let status = job.status;
    if (status === 'COMPLETED' && this.reopenIfActive(jobId, now)) status = 'RUNNING';
    if (status === 'SCHEDULED') {
      if (job.startAt > now) return;
      this.jobs.setStatus(jobId, 'RUNNING', null, now);
      status = 'RUNNING';
      this.onJobChanged(jobId);
    }
    if (status !== 'RUNNING' && status !== 'PAUSED') return;
    this.timeOutSilentDevices(jobId, job.policy, now);
    if (status !== 'RUNNING') return;
    this.retryFailures(jobId, job.policy, now);
    if (!this.haltIfNeeded(jobId, job.policy, now)) this.fillSlots(jobId, job.policy, now);
    this.completeIfDone(jobId, job.policy, now);
  }

  /**
   * A device that retried on its own (FAILED, then DOWNLOADING again) re-opened its execution:
   * the job runs again, so that the time-out watches it and its ending is counted.
   */
  private reopenIfActive(jobId: string, now: number): boolean {
    if (this.executions.inJob(jobId, NOT_FINISHED_STATES).length === 0) return false;
    this.jobs.setStatus(jobId, 'RUNNING', null, now);
    this.onJobChanged(jobId);
    return true;
  }

  private timeOutSilentDevices(jobId: string, policy: JobPolicy, now: number): void {
    if (policy.timeoutSec <= 0) return;
    const deadline = now - policy.timeoutSec * 1000;
    for (const e of this.executions.inJob(jobId, IN_PROGRESS_STATES)) {
      if (e.updatedAt > deadline) continue;
      const percent = e.size > 0 ? Math.floor((e.bytesServed / e.size) * 100) : 0;
      const silentFor = Math.round((now - e.updatedAt) / 1000);
      this.ota.timeOut(e.id, now, `No progress for ${silentFor} s in ${e.state} at ${percent} %`);
      this.onJobChanged(jobId);
    }
  }

  private retryFailures(jobId: string, policy: JobPolicy, now: number): void {
    for (const e of this.executions.inJob(jobId, FAILED_STATES)) {
      if (
        isFinalFailure(e.state, e.attempts, policy) ||
        now - e.updatedAt < policy.retryDelaySec * 1000
      )
        continue;
      this.ota.requeue(e.id, now, `Retry ${e.attempts} of ${policy.retries} after ${e.state}`);
      this.onJobChanged(jobId);
    }
  }

  private haltIfNeeded(jobId: string, policy: JobPolicy, now: number): boolean {
    if (policy.haltAfterFailures === null && policy.haltAfterPercent === null) return false;
    const failed = this.executions
      .inJob(jobId, FAILED_STATES)
      .filter((e) => isFinalFailure(e.state, e.attempts, policy)).length;
    const total = this.executions.jobTotals(jobId).reduce((n, t) => n + t.count, 0);
    const reason = haltReason(failed, total, policy);
    if (!reason) return false;
    this.jobs.setStatus(jobId, 'PAUSED', reason, now);
    this.onJobChanged(jobId);
    return true;
  }

  private fillSlots(jobId: string, policy: JobPolicy, now: number): void {
    const queued = this.executions.inJob(jobId, ['QUEUED']);
    if (queued.length === 0) return;
    const busy =
      policy.concurrency > 0 ? this.executions.inJob(jobId, DOWNLOAD_SLOT_STATES).length : 0;
    const free = policy.concurrency > 0 ? Math.max(0, policy.concurrency - busy) : queued.length;
    if (free === 0) return;
    // Connected devices first: a slot given to a device that is offline waits for its time-out.
    const order = [...queued].sort((a, b) => this.onlineFirst(a, b));
    for (const e of order.slice(0, free)) this.ota.initiate(e.id, now);
    this.onJobChanged(jobId);
  }

  private completeIfDone(jobId: string, policy: JobPolicy, now: number): void {
    if (this.executions.inJob(jobId, NOT_FINISHED_STATES).length > 0) return;
    const pendingRetry = this.executions
      .inJob(jobId, FAILED_STATES)
      .some((e) => !isFinalFailure(e.state, e.attempts, policy));
    if (pendingRetry) return;
    this.jobs.setStatus(jobId, 'COMPLETED', null, now);
    this.onJobChanged(jobId);
  }

  private onlineFirst(a: JobExecutionRow, b: JobExecutionRow): number {
    return Number(this.isOnline(b.deviceId)) - Number(this.isOnline(a.deviceId));
  }
}
