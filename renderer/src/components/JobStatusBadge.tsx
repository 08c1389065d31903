import type { Job } from '../../../shared/api/entities';
import { type JobOutcome, jobOutcome } from '../lib/job-figures';
import { Badge } from './Badge';
import type { IconName } from './Icon';

/** A job's status with its own words, one color and one icon (never color alone). */
const JOB_ICON: Record<JobOutcome['tone'], IconName> = {
  scheduled: 'calendar',
  running: 'running',
  paused: 'pause',
  completed: 'updated',
  failures: 'failed',
  canceled: 'canceled',
};

/** A job that ended with failed devices never looks like a success (no green check). */
export function JobStatusBadge({ job }: { job: Job }) {
  const outcome = jobOutcome(job);
  return (
    <Badge tone={`state job-${outcome.tone}`} icon={JOB_ICON[outcome.tone]}>
      {outcome.label}
    </Badge>
  );
}
