/**
 * Paths of the HTTP device API (docs/device-protocol.md#http-device-api), shared by the station,
 * the simulator and the tests so that they agree. The access token is a path segment.
 */
import type { OtaPackageType } from './ota-keys';

export const HTTP_DEVICE_PREFIX = '/api/v1';

/** ThingsBoard's port for its device HTTP API, which devices are built for. */
export const DEFAULT_HTTP_DEVICE_PORT = 8080;

export type HttpDeviceResource =
  | 'telemetry'
  | 'attributes'
  | 'attributes/updates'
  | 'rpc'
  | `rpc/${string}`
  | 'firmware'
  | 'software';

export function httpDevicePath(token: string, resource: HttpDeviceResource): string {
  return `${HTTP_DEVICE_PREFIX}/${encodeURIComponent(token)}/${resource}`;
}

export function otaResource(type: OtaPackageType): 'firmware' | 'software' {
  return type === 'FIRMWARE' ? 'firmware' : 'software';
}
