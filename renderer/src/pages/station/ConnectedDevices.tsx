import { useEffect, useState } from 'react';

import type { DeviceMessageKind, DeviceSessionInfo } from '../../../../shared/api/entities';
import { messageOf } from '../../api/validate-input';
import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import { formatAgo, formatClock, formatCount, formatFullDateTime } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { useSlice, useStation } from '../../state/store-context';

/** Sessions change with every message: asked again this often while the page is open. */
const REFRESH_MS = 2_000;

const MESSAGE: Record<DeviceMessageKind, string> = {
  telemetry: 'Telemetry',
  clientAttributes: 'Client attributes',
  attributeRequest: 'Attribute request',
  rpcRequest: 'RPC request',
  rpcResponse: 'RPC response',
  chunkRequest: 'Chunk request',
  unknown: 'Unknown topic',
};

/**
 * Who is connected right now, one row per MQTT connection: a device that connects and never
 * asks for a chunk stands out in the Downloaded column.
 */
export function ConnectedDevices() {
  const { api } = useStation();
  const online = useSlice('onlineDevices');
  const [sessions, setSessions] = useState<readonly DeviceSessionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(1_000);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      api.call('station.sessions', {}).then(
        (list) => {
          if (!live) return;
          setSessions(list);
          setError(null);
        },
        (e: unknown) => {
          if (live) setError(messageOf(e));
        },
      );
      timer = setTimeout(load, REFRESH_MS);
    };
    load();
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // A device connecting or leaving is shown at once, not at the next turn.
  }, [api, online]);

  const idle = sessions?.filter((s) => s.chunkRequests === 0).length ?? 0;
  return (
    <Card title="Connected devices" full>
      {error && (
        <p className="form-error" role="alert">
          Could not list the connected devices: {error}
        </p>
      )}
      {sessions === null ? (
        !error && <p className="loading-line">Listing the connected devices…</p>
      ) : sessions.length === 0 ? (
        <p className="empty-line">
          No device is connected. Devices connect with their access token as MQTT username.
        </p>
      ) : (
        <>
          <p className="muted">
            {formatCount(sessions.length, 'connection')}
            {idle > 0 && ` · ${formatCount(idle, 'has', 'have')} not asked for any chunk`}
          </p>
          <TableScroll className="table-limited" label="Connected devices table">
            <table className="data-table">
              <caption className="sr-only">Longest connected first</caption>
              <TableHead
                columns={[
                  'Device',
                  'Address',
                  'Protocol',
                  'Connected since',
                  'Last message',
                  { label: 'Downloaded', className: 'num' },
                ]}
              />
              <tbody>
                {sessions.map((s) => (
                  <SessionRow key={s.id} session={s} now={now} />
                ))}
              </tbody>
            </table>
          </TableScroll>
        </>
      )}
    </Card>
  );
}

function SessionRow({ session: s, now }: { session: DeviceSessionInfo; now: number }) {
  return (
    <tr>
      <td className="mono wrap">{s.deviceName}</td>
      <td className="mono" title={`client id ${s.clientId}`}>
        {s.remoteAddress}
      </td>
      <td>{s.protocolLabel}</td>
      <td title={formatFullDateTime(s.connectedAt)}>
        <span className="cell-lines">
          <span>{formatClock(s.connectedAt)}</span>
          <span className="muted">{formatAgo(s.connectedAt, now)}</span>
        </span>
      </td>
      <td title={s.lastMessageAt === null ? undefined : formatFullDateTime(s.lastMessageAt)}>
        {s.lastMessageAt === null || s.lastMessageKind === null ? (
          <span className="muted">Nothing yet</span>
        ) : (
          <span className="cell-lines">
            <span>{MESSAGE[s.lastMessageKind]}</span>
            <span className="muted">{formatAgo(s.lastMessageAt, now)}</span>
          </span>
        )}
      </td>
      <td className="num">
        {s.chunkRequests > 0 ? (
          formatCount(s.chunkRequests, 'chunk')
        ) : (
          <Badge tone="badge-warning" icon="alert">
            No chunk asked
          </Badge>
        )}
      </td>
    </tr>
  );
}
