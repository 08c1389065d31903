import type { DeviceIdentity } from '../repositories/devices';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import type { HttpPresenceRegistry } from './http-presence';
import type { DeviceServicePort } from './service-seam';

export interface HttpDeviceLimits {
  /** Largest telemetry or client-attributes body (the device uplink limit). */
  maxBodyBytes: number;
  /** Largest RPC body; ThingsBoard's limit on `/rpc`. */
  maxRpcBodyBytes: number;
  /** Largest `size` of a chunked download, as on MQTT. */
  maxChunkBytes: number;
  /** A long poll without `timeout` (or 0) waits this long; ThingsBoard's default. */
  defaultPollMs: number;
  /** A longer `timeout` is lowered to this (ThingsBoard's container cuts at the same). */
  maxPollMs: number;
  /** A download whose device takes no bytes for this long is cut off. */
  stallMs: number;
}

export const DEFAULT_HTTP_DEVICE_LIMITS: HttpDeviceLimits = {
  maxBodyBytes: 64 * 1024,
  maxRpcBodyBytes: 64 * 1024,
  maxChunkBytes: 512 * 1024,
  defaultPollMs: 60_000,
  maxPollMs: 300_000,
  stallMs: 60_000,
};

/** What every handler of the HTTP device API works with. */
export interface HttpDeviceContext {
  service: DeviceServicePort;
  errors: ProtocolErrorLog;
  presence: HttpPresenceRegistry;
  limits: HttpDeviceLimits;
}

/** Who a refusal is about: the device once its token is known, else only the address. */
export interface Requester {
  device: DeviceIdentity | undefined;
  remoteAddress: string;
}

/** Records a refusal the HTTP layer made itself (the service records its own). */
export function recordRefusal(
  ctx: HttpDeviceContext,
  who: Requester,
  kind: string,
  message: string,
): void {
  ctx.errors.record({
    kind,
    message: `HTTP: ${message}`,
    deviceId: who.device?.id ?? null,
    deviceName: who.device?.name ?? null,
    clientId: null,
    remoteAddress: who.remoteAddress,
  });
}
