import type { JobStatus } from '../../../shared/api/entities';
import { Icon, type IconName } from './Icon';

/** A job's status with its own word, one color and one icon (never color alone). */
const JOB_ICON: Record<JobStatus, IconName> = {
  SCHEDULED: 'calendar',
  RUNNING: 'running',
  PAUSED: 'pause',
  COMPLETED: 'updated',
  CANCELED: 'canceled',
};

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <span className={`badge state job-${status.toLowerCase()}`}>
      <Icon name={JOB_ICON[status]} />
      {status}
    </span>
  );
}
