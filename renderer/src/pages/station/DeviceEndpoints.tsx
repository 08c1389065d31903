import type { DeviceEndpoint } from '../../../../shared/api/entities';
import { CopyButton } from '../../components/CopyButton';
import { transportLabel } from '../../lib/transport';
import { hostPort } from './site-addresses';

/**
 * Every device API the station serves (MQTT, HTTP…), each with the address devices on the
 * site network type into their settings: a technician configuring an HTTP device needs its
 * port as much as an MQTT one's.
 */
export function DeviceEndpoints({ endpoints }: { endpoints: readonly DeviceEndpoint[] }) {
  return (
    <section className="card" aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Where devices connect</h2>
      <dl className="facts">
        {endpoints.map((endpoint) => {
          const name = transportLabel(endpoint.transport);
          const siteNetwork = endpoint.lanAddresses.length > 0;
          return (
            <div key={endpoint.transport}>
              <dt>
                {name}
                {endpoint.tls && ' (TLS)'}
              </dt>
              <dd>
                {(siteNetwork ? endpoint.lanAddresses : [endpoint]).map((address) => (
                  <span key={address.url} className="token">
                    <code className="mono">
                      {'interface' in address ? hostPort(address) : address.url}
                    </code>
                    <CopyButton value={address.url} what={`${name} address ${address.url}`} />
                  </span>
                ))}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}
