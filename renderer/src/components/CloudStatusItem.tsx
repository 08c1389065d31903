import type { CloudStatus } from '../../../shared/api/entities';
import { formatCount } from '../lib/format';
import { describeActivity } from '../lib/sync-activity';
import { useSlice } from '../state/store-context';
import { Icon, type IconName } from './Icon';

/** The header's cloud figure: reachable or not, and what is waiting; it opens the Sync page. */
export function CloudStatusItem() {
  const cloud = useSlice('cloud');
  const view = describeCloud(cloud);
  return (
    <li className={`status-item cloud cloud-${view.tone}`} title={view.title}>
      <a className="status-link" href="#/sync">
        <span className="status-label">Cloud</span>
        <span className="status-value">
          <Icon name={view.icon} />
          {view.text}
        </span>
        {view.note && <span className="status-note">{view.note}</span>}
      </a>
    </li>
  );
}

interface CloudView {
  icon: IconName;
  text: string;
  note: string | null;
  tone: 'muted' | 'ok' | 'warning';
  title: string;
}

export function describeCloud(cloud: CloudStatus | null): CloudView {
  if (cloud === null || (cloud.connection === 'SIGNED_OUT' && cloud.url === null)) {
    return {
      icon: 'cloudOff',
      text: 'Not configured',
      note: null,
      tone: 'muted',
      title: 'No ServicePleX cloud is set up for this station: everything stays on this laptop.',
    };
  }
  const p = cloud.pending;
  const changes = p.profiles + p.devices + p.packages + p.assignments + p.other;
  const parts = [changes > 0 ? `${formatCount(changes, 'change')} to sync` : 'in sync'];
  if (cloud.conflicts > 0) parts.push(formatCount(cloud.conflicts, 'conflict'));
  if (cloud.failed > 0) parts.push(`${cloud.failed} failed`);
  const activity = cloud.activity ? describeActivity(cloud.activity).text : null;
  const note = activity ?? parts.join(' · ');
  const title = [
    cloud.url ? `${cloud.url}${cloud.username ? ` as ${cloud.username}` : ''}` : null,
    p.telemetryPoints > 0
      ? `${p.telemetryPoints.toLocaleString('en-US')} telemetry points waiting`
      : null,
    cloud.lastError,
  ]
    .filter(Boolean)
    .join('\n');
  switch (cloud.connection) {
    case 'ONLINE':
      return {
        icon: 'cloud',
        text: 'Online',
        note,
        tone: cloud.conflicts > 0 ? 'warning' : 'ok',
        title,
      };
    case 'OFFLINE':
      return { icon: 'cloudOff', text: 'Offline', note, tone: 'warning', title };
    case 'SIGN_IN_REQUIRED':
      return { icon: 'alert', text: 'Sign in again', note, tone: 'warning', title };
    case 'SIGNED_OUT':
      return {
        icon: 'cloudOff',
        text: 'Not signed in',
        note: changes > 0 ? note : null,
        tone: 'muted',
        title,
      };
  }
}
