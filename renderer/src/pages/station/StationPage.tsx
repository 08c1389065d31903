import { Badge } from '../../components/Badge';
import { Card } from '../../components/Card';
import { CopyButton } from '../../components/CopyButton';
import { Fact } from '../../components/Fact';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import {
  formatAgo,
  formatBytes,
  formatClock,
  formatDateTime,
  formatExactBytes,
  formatFullDateTime,
} from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { useSlice } from '../../state/store-context';
import { ConnectedDevices } from './ConnectedDevices';
import { DeviceEndpoints } from './DeviceEndpoints';
import { hostPort } from './site-addresses';
import { SiteNetworkSwitch } from './SiteNetworkSwitch';

/** Where devices reach the station, what it allows, and what went wrong on the wire. */
export function StationPage() {
  const status = useSlice('status');
  const online = useSlice('onlineDevices');
  const errors = useSlice('protocolErrors');
  const now = useNow(30_000);

  return (
    <>
      <PageHeader
        title="Station"
        description="The device APIs (MQTT, HTTP) devices connect to, and this station's health."
      />
      {!status ? (
        <p className="loading-line">Loading the station's status…</p>
      ) : (
        <div className="cards">
          <Card title="MQTT device API">
            <dl className="facts">
              <Fact label="Listening on" className="token">
                <code className="mono">{status.mqtt.url}</code>
                <CopyButton value={status.mqtt.url} what="MQTT address" />
              </Fact>
              {status.mqtt.siteNetwork && (
                <Fact label="Devices connect to">
                  {status.mqtt.lanAddresses.length === 0
                    ? 'No network address right now'
                    : status.mqtt.lanAddresses.map((address) => (
                        <span key={address.url} className="token">
                          <code className="mono">{hostPort(address)}</code>
                          <CopyButton value={address.url} what={`address ${address.url}`} />
                        </span>
                      ))}
                </Fact>
              )}
              <Fact label="TLS">{status.mqtt.tls ? 'On (mqtts)' : 'Off (plain MQTT)'}</Fact>
              <Fact
                label="Largest chunk a device may ask for"
                title={formatExactBytes(status.mqtt.maxChunkBytes)}
              >
                {formatBytes(status.mqtt.maxChunkBytes)}
              </Fact>
              <Fact label="Devices connected">{online.toLocaleString('en-US')}</Fact>
              <Fact label="MQTT sessions">{status.sessions.toLocaleString('en-US')}</Fact>
            </dl>
            <SiteNetworkSwitch mqtt={status.mqtt} />
          </Card>
          <DeviceEndpoints endpoints={status.deviceEndpoints} />
          <Card title="This station">
            <dl className="facts">
              <Fact label="Web address" className="mono">
                {status.http.url || 'Desktop app'}
              </Fact>
              <Fact label="Version" className="mono">
                {status.version}
              </Fact>
              <Fact label="Running since" title={formatFullDateTime(status.startedAt)}>
                {formatDateTime(status.startedAt)} ({formatAgo(status.startedAt, now)})
              </Fact>
              <Fact label="Data folder" className="token">
                <code className="mono truncate" title={status.dataDir}>
                  {status.dataDir}
                </code>
                <CopyButton value={status.dataDir} what="data folder path" />
              </Fact>
            </dl>
          </Card>
        </div>
      )}
      <ConnectedDevices />
      <Card title="Recent protocol errors" full>
        {errors.length === 0 ? (
          <p className="empty-line">
            <Icon name="updated" className="inline-icon ok" />
            None. Bad access tokens, refused requests and malformed messages from devices show up
            here as they happen, with notes worth knowing (once per device) marked Information.
          </p>
        ) : (
          <TableScroll className="table-limited" label="Protocol errors table">
            <table className="data-table">
              <caption className="sr-only">Newest first</caption>
              <TableHead columns={['Time', 'Kind', 'Device', 'Client', 'Message']} />
              <tbody>
                {errors.map((e) => (
                  <tr key={e.id}>
                    <td className="mono" title={formatFullDateTime(e.at)}>
                      {formatClock(e.at)}
                    </td>
                    <td>
                      {e.severity === 'info' ? (
                        <Badge tone="info-kind" icon="info" title="Nothing to do">
                          Information
                        </Badge>
                      ) : (
                        <Badge tone="error-kind" icon="alert">
                          Error
                        </Badge>
                      )}{' '}
                      <span className="mono">{e.kind}</span>
                    </td>
                    <td className="mono">{e.deviceName ?? '—'}</td>
                    <td className="mono" title={`${e.clientId ?? ''} ${e.remoteAddress}`}>
                      {e.clientId ?? '—'} · {e.remoteAddress}
                    </td>
                    <td className="wrap">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Card>
    </>
  );
}
