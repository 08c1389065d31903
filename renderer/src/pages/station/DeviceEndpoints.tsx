import type { DeviceEndpoint } from '../../../../shared/api/entities';
import { Card } from '../../components/Card';
import { CopyButton } from '../../components/CopyButton';
import { Fact } from '../../components/Fact';
import { transportLabel } from '../../lib/transport';
import { hostPort } from './site-addresses';

/**
 * Every device API the station serves (MQTT, HTTP…), each with the address devices on the
 * site network type into their settings: a technician configuring an HTTP device needs its
 * port as much as an MQTT one's.
 */
export function DeviceEndpoints({ endpoints }: { endpoints: readonly DeviceEndpoint[] }) {
  return (
    <Card title="Where devices connect">
      <dl className="facts">
        {endpoints.map((endpoint) => {
          const name = transportLabel(endpoint.transport);
          const siteNetwork = endpoint.lanAddresses.length > 0;
          return (
            <Fact key={endpoint.transport} label={endpoint.tls ? `${name} (TLS)` : name}>
              {(siteNetwork ? endpoint.lanAddresses : [endpoint]).map((address) => (
                <span key={address.url} className="token">
                  <code className="mono">
                    {'interface' in address ? hostPort(address) : address.url}
                  </code>
                  <CopyButton value={address.url} what={`${name} address ${address.url}`} />
                </span>
              ))}
            </Fact>
          );
        })}
      </dl>
    </Card>
  );
}
