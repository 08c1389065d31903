import type { Execution } from '../../../../shared/api/entities';
import { FINAL_STATES } from '../../../../shared/protocol/states';
import { executionFigures } from '../../lib/execution-progress';
import { type Sort, sortBy } from '../../lib/sorting';

/** The words of a job row's counts ("updated · active · queued · failed · canceled"). */
export type ExecutionKind = 'active' | 'queued' | 'updated' | 'failed' | 'canceled';

/** Sorted into the same groups the station counts a job's devices in. */
export function kindOf(execution: Execution): ExecutionKind {
  switch (execution.state) {
    case 'QUEUED':
      return 'queued';
    case 'UPDATED':
      return 'updated';
    case 'CANCELED':
      return 'canceled';
    case 'FAILED':
    case 'TIMED_OUT':
      return 'failed';
    default:
      return FINAL_STATES.has(execution.state) ? 'updated' : 'active';
  }
}

export type ExecutionColumn =
  'device' | 'package' | 'state' | 'bytes' | 'speed' | 'elapsed' | 'eta' | 'started';

/** State order when sorting by State: what needs a look first. */
const STATE_RANK: Record<string, number> = {
  FAILED: 0,
  TIMED_OUT: 1,
  DOWNLOADING: 2,
  INITIATED: 3,
  DOWNLOADED: 4,
  VERIFIED: 5,
  UPDATING: 6,
  QUEUED: 7,
  UPDATED: 8,
  CANCELED: 9,
};

function valueOf(column: ExecutionColumn, now: number) {
  switch (column) {
    case 'device':
      return (e: Execution) => e.deviceName;
    case 'package':
      return (e: Execution) => `${e.packageTitle} ${e.packageVersion}`;
    case 'state':
      return (e: Execution) => STATE_RANK[e.state] ?? 99;
    case 'bytes':
      return (e: Execution) => e.bytesServed;
    case 'speed':
      return (e: Execution) => executionFigures(e, now).bytesPerSecond;
    case 'elapsed':
      return (e: Execution) => executionFigures(e, now).elapsedMs;
    case 'eta':
      return (e: Execution) => executionFigures(e, now).etaMs;
    case 'started':
      return (e: Execution) => e.createdAt;
  }
}

/** The rows in the chosen order; with `failedFirst`, failed ones lead, each part in that order. */
export function orderExecutions(
  list: readonly Execution[],
  sort: Sort<ExecutionColumn>,
  failedFirst: boolean,
  now: number,
): Execution[] {
  const sorted = sortBy(list, valueOf(sort.key, now), sort.direction);
  if (!failedFirst) return sorted;
  const failed = sorted.filter((e) => kindOf(e) === 'failed');
  return failed.length === 0
    ? sorted
    : [...failed, ...sorted.filter((e) => kindOf(e) !== 'failed')];
}
