import { useEffect, useState } from 'react';

import type { Device, DeviceDetail, DeviceHistory, OtaSlot } from '../../../../shared/api/entities';
import { messageOf } from '../../api/validate-input';
import { Button } from '../../components/Button';
import { DetailsPanel } from '../../components/DetailsPanel';
import { Fact } from '../../components/Fact';
import { Icon } from '../../components/Icon';
import { MiddleText } from '../../components/MiddleText';
import { StateBadge } from '../../components/StateBadge';
import { TableHead } from '../../components/TableHead';
import { formatBytes, formatDateTime, formatFullDateTime } from '../../lib/format';
import { transportLabel } from '../../lib/transport';
import { useStation } from '../../state/store-context';
import { AttemptList, FailureSummary } from '../monitor/AttemptList';
import { PACKAGE_TYPE_LABEL } from '../packages/PackageTypeField';
import { assignedVersionOf, currentVersionOf } from './slot-versions';

/**
 * A device's whole story, over the table (the rows keep their width): what it runs, every update
 * it had with each attempt's error, bytes and times, what it reported lately, its attributes and
 * the protocol errors its connections made. Read afresh whenever the device changes.
 */
export function DeviceDrawer({
  device,
  onClose,
  onUpdate,
  onEdit,
}: {
  device: Device;
  onClose: () => void;
  onUpdate: (device: Device) => void;
  onEdit: (device: Device) => void;
}) {
  const { api } = useStation();
  const [detail, setDetail] = useState<DeviceDetail | null>(null);
  const [history, setHistory] = useState<DeviceHistory | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    Promise.all([
      api.call('devices.get', { id: device.id }),
      api.call('devices.history', { id: device.id, limit: 50 }),
    ]).then(
      ([d, h]) => {
        if (!current) return;
        setDetail(d);
        setHistory(h);
        setError(null);
      },
      (e: unknown) => current && setError(messageOf(e)),
    );
    return () => {
      current = false;
    };
  }, [api, device]);

  return (
    <DetailsPanel
      className="drawer"
      label={`Device ${device.name}`}
      title={device.name}
      subtitle={`${device.profileName} · ${device.online ? 'Online' : 'Offline'}${device.label ? ` · ${device.label}` : ''}`}
      onClose={onClose}
    >
      <div className="drawer-actions">
        <Button onClick={() => onUpdate(device)}>Update…</Button>
        <Button icon="edit" onClick={() => onEdit(device)}>
          Edit
        </Button>
      </div>
      <dl className="facts facts-compact">
        <SlotFacts label="Firmware" slot={device.firmware} profileName={device.profileName} />
        <SlotFacts label="Software" slot={device.software} profileName={device.profileName} />
        <Fact label="Last seen">
          {device.lastSeenAt ? formatFullDateTime(device.lastSeenAt) : 'Never connected'}
        </Fact>
        <Fact label="Last transport">
          {device.lastTransport ? transportLabel(device.lastTransport) : 'None yet'}
        </Fact>
      </dl>
      {error && (
        <p className="form-error" role="alert">
          <Icon name="alert" />
          Could not read the device's history: {error}
        </p>
      )}
      <section aria-label={`Updates of ${device.name}`}>
        <h3 className="section-title">Updates</h3>
        {history === null ? (
          <p className="muted">Loading…</p>
        ) : history.executions.length === 0 ? (
          <p className="muted">No update yet.</p>
        ) : (
          <ol className="update-history">
            {history.executions.map((e) => (
              <li key={e.id} className="update-entry">
                <div className="attempt-head">
                  <strong>
                    {PACKAGE_TYPE_LABEL[e.type]} {e.packageTitle}{' '}
                    <span className="mono">{e.packageVersion}</span>
                  </strong>
                  <StateBadge state={e.state} />
                </div>
                <p className="muted">
                  {formatDateTime(e.createdAt)} · {formatBytes(e.size)}
                </p>
                <FailureSummary execution={e} />
                <AttemptList execution={e} />
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-label={`Recent telemetry of ${device.name}`}>
        <h3 className="section-title">Recent telemetry</h3>
        {history && history.telemetry.length > 0 ? (
          <KeyValues
            rows={history.telemetry.map((t) => [t.key, t.value, formatDateTime(t.ts)] as const)}
          />
        ) : (
          <p className="muted">Nothing reported yet.</p>
        )}
      </section>
      <section aria-label={`Attributes of ${device.name}`}>
        <h3 className="section-title">Attributes</h3>
        {detail ? (
          <KeyValues
            rows={[
              ...Object.entries(detail.clientAttributes).map(([k, v]) => [k, v, 'client'] as const),
              ...Object.entries(detail.sharedAttributes).map(([k, v]) => [k, v, 'shared'] as const),
            ]}
          />
        ) : (
          <p className="muted">Loading…</p>
        )}
      </section>
      <section aria-label={`Protocol errors of ${device.name}`}>
        <h3 className="section-title">Protocol errors</h3>
        {history && history.protocolErrors.length > 0 ? (
          <ul className="protocol-error-list">
            {history.protocolErrors.map((p) => (
              <li key={p.id}>
                <span className="mono">{formatDateTime(p.at)}</span> <strong>{p.kind}</strong>:{' '}
                {p.message}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">None recorded since the station started.</p>
        )}
      </section>
    </DetailsPanel>
  );
}

function SlotFacts({
  label,
  slot,
  profileName,
}: {
  label: string;
  slot: OtaSlot;
  profileName: string;
}) {
  const current = currentVersionOf(slot) ?? 'Not reported';
  const assigned = assignedVersionOf(slot) ?? 'None';
  return (
    <>
      <Fact label={`${label} now`}>
        <MiddleText className="mono" text={current} />
      </Fact>
      <Fact label={`${label} assigned`}>
        <MiddleText className="mono" text={assigned} />
        {slot.assignedFrom && (
          <span className="muted assigned-source">
            {slot.assignedFrom === 'PROFILE'
              ? `from profile ${profileName}`
              : 'its own (not the profile’s)'}
          </span>
        )}
      </Fact>
    </>
  );
}

function KeyValues({ rows }: { rows: readonly (readonly [string, unknown, string])[] }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table className="data-table compact kv-table">
      <TableHead columns={['Key', 'Value', 'When / scope']} />
      <tbody>
        {rows.map(([key, value, note], i) => (
          <tr key={`${key}-${note}-${i}`}>
            <th scope="row" className="mono">
              {key}
            </th>
            <td className="mono kv-value">{JSON.stringify(value)}</td>
            <td className="muted">{note}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
