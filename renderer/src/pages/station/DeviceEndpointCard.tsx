import type { DeviceEndpoint } from '../../../../shared/api/entities';
import { CopyButton } from '../../components/CopyButton';
import { hostPort } from './site-addresses';

/**
 * A device transport besides MQTT (CoAP...): where it listens and, while the site network is
 * served, the addresses devices use. The MQTT card's switch moves it too.
 */
export function DeviceEndpointCard({ endpoint }: { endpoint: DeviceEndpoint }) {
  const titleId = `${endpoint.transport}-endpoint-title`;
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>{endpoint.label}</h2>
      <dl className="facts">
        <div>
          <dt>Listening on</dt>
          <dd className="token">
            <code className="mono">{endpoint.url}</code>
            <CopyButton value={endpoint.url} what={`${endpoint.label} address`} />
          </dd>
        </div>
        {endpoint.lanAddresses.length > 0 && (
          <div>
            <dt>Devices connect to</dt>
            <dd>
              {endpoint.lanAddresses.map((address) => (
                <span key={address.url} className="token">
                  <code className="mono">{hostPort(address)}</code>
                  <CopyButton value={address.url} what={`address ${address.url}`} />
                </span>
              ))}
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}
