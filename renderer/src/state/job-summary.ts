import type { Execution } from '../../../shared/api/entities';
import { FINAL_STATES } from '../../../shared/protocol/states';

/** What the header shows about updates in flight. */
export interface JobSummary {
  active: number;
  failed: number;
  bytesServed: number;
  totalBytes: number;
  /** 0..100, from bytes served over the sizes of every update in flight. */
  percent: number;
}

export function summariseJobs(executions: readonly Execution[]): JobSummary {
  let active = 0;
  let failed = 0;
  let bytesServed = 0;
  let totalBytes = 0;
  for (const execution of executions) {
    if (execution.state === 'FAILED' || execution.state === 'TIMED_OUT') failed += 1;
    if (FINAL_STATES.has(execution.state)) continue;
    active += 1;
    bytesServed += Math.min(execution.bytesServed, execution.size);
    totalBytes += execution.size;
  }
  const percent = totalBytes > 0 ? Math.floor((bytesServed / totalBytes) * 100) : 0;
  return { active, failed, bytesServed, totalBytes, percent };
}
