import type { StationStatus } from '../../../shared/api/entities';
import { formatBytes, formatCount } from '../lib/format';
import type { JobSummary } from '../state/job-summary';
import { useSlice } from '../state/store-context';
import { CloudStatusItem } from './CloudStatusItem';
import { ConnectionStatusItem } from './ConnectionStatusItem';
import { Icon } from './Icon';
import { NotificationBell } from './NotificationBell';
import { ProgressBar } from './ProgressBar';

/** State at a glance, on every page: station address, devices connected, updates running, cloud. */
export function StatusHeader() {
  const status = useSlice('status');
  const online = useSlice('onlineDevices');
  const jobs = useSlice('jobSummary');

  return (
    <header className="status-header">
      <ul className="status-strip" aria-label="Station status">
        <li className="status-item">
          <span className="status-label">Station MQTT</span>
          <span className="status-value mono">{status ? devicesUrl(status) : '—'}</span>
          {status && <span className="status-note">{reachNote(status)}</span>}
        </li>
        <li className="status-item">
          <span className="status-label">Devices</span>
          <span className="status-value">
            <Icon name={online > 0 ? 'online' : 'offline'} />
            {online.toLocaleString('en-US')} connected
          </span>
        </li>
        <li className="status-item status-jobs">
          <span className="status-label">Updates</span>
          {jobs.active > 0 ? (
            <span className="status-value">
              <span>{formatCount(jobs.active, 'device')} updating</span>
              <span
                title={`${formatBytes(jobs.bytesServed)} of ${formatBytes(jobs.totalBytes)} done`}
              >
                <ProgressBar
                  percent={jobs.percent}
                  label="Progress of all running jobs"
                  text={`${jobs.percent} %`}
                />
              </span>
              {jobs.pausedJobs > 0 && <span className="status-note">{pausedText(jobs)}</span>}
            </span>
          ) : jobs.pausedJobs > 0 ? (
            <span className="status-value warning">
              <Icon name="pause" />
              {pausedText(jobs)}
            </span>
          ) : (
            <span className="status-value muted">None running</span>
          )}
        </li>
        <CloudStatusItem />
        <ConnectionStatusItem />
      </ul>
      <NotificationBell />
    </header>
  );
}

/** The address a device types in: on the site network the first LAN one, not 0.0.0.0. */
function devicesUrl(status: StationStatus): string {
  const first = status.mqtt.siteNetwork ? status.mqtt.lanAddresses[0] : undefined;
  return first?.url ?? status.mqtt.url;
}

function reachNote(status: StationStatus): string {
  if (!status.mqtt.siteNetwork) return 'this computer only';
  const more = status.mqtt.lanAddresses.length - 1;
  return more > 0 ? `site network, +${more} more (Station page)` : 'site network';
}

/** Paused jobs are not running: said apart, with how many devices wait on them. */
function pausedText(jobs: JobSummary): string {
  return `${formatCount(jobs.pausedJobs, 'job')} paused (${formatCount(jobs.paused, 'device')} waiting)`;
}
