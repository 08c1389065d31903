/** What the Station page shows of each device transport's endpoint, and where it is reached. */
import type { DeviceEndpoint, DeviceTransport } from '../../shared/api/entities';
import { hostForUrl } from './http/loopback';
import { lanAddresses } from './site-network';

const SCHEMES: Record<DeviceTransport, { plain: string; tls: string }> = {
  mqtt: { plain: 'mqtt', tls: 'mqtts' },
  http: { plain: 'http', tls: 'https' },
  coap: { plain: 'coap', tls: 'coaps' },
};

export function deviceEndpoint(
  transport: DeviceTransport,
  address: { host: string; port: number },
  tls: boolean,
): DeviceEndpoint {
  const scheme = tls ? SCHEMES[transport].tls : SCHEMES[transport].plain;
  return {
    transport,
    host: address.host,
    port: address.port,
    url: `${scheme}://${hostForUrl(address.host)}:${address.port}`,
    tls,
    lanAddresses: lanAddresses(address.host, address.port, scheme),
  };
}
