/**
 * Paths of the CoAP device API (docs/device-protocol.md#coap), shared by the station, the
 * simulator and the tests. The access token is a path segment, as on HTTP.
 */
import type { OtaPackageType } from './ota-keys';

/** CoAP's own port (RFC 7252 §6.1), which ThingsBoard and devices use. */
export const DEFAULT_COAP_PORT = 5683;

/** The largest Block2 block over UDP (RFC 7959 SZX 6), and ThingsBoard's message size. */
export const MAX_COAP_BLOCK_SIZE = 1024;

export function coapDevicePath(token: string, feature: 'telemetry' | 'attributes' | 'rpc'): string {
  return `/api/v1/${token}/${feature}`;
}

/** ThingsBoard's OTA resource: /fw/{token} for firmware, /sw/{token} for software. */
export function coapOtaPath(type: OtaPackageType, token: string): string {
  return `/${type === 'FIRMWARE' ? 'fw' : 'sw'}/${token}`;
}
