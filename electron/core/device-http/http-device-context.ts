import type { DeviceCaller, DeviceService } from '../device-api/device-service';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import type { HttpPresenceRegistry } from './http-presence';

export interface HttpDeviceLimits {
  /** Largest telemetry or client-attributes body (the device uplink limit). */
  maxBodyBytes: number;
  /** Largest RPC body; ThingsBoard's limit on `/rpc`. */
  maxRpcBodyBytes: number;
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
  defaultPollMs: 60_000,
  maxPollMs: 300_000,
  stallMs: 60_000,
};

/** What every handler of the HTTP device API works with. */
export interface HttpDeviceContext {
  service: DeviceService;
  errors: ProtocolErrorLog;
  presence: HttpPresenceRegistry;
  limits: HttpDeviceLimits;
}

/** Who a refusal is about: the calling device once its token is known, else only the address. */
export type Requester = DeviceCaller | { device: undefined; remoteAddress: string };

/** Records a refusal the HTTP layer made itself (the service records its own). */
export function recordRefusal(
  ctx: HttpDeviceContext,
  who: Requester,
  kind: string,
  message: string,
): void {
  if (who.device) {
    ctx.errors.recordFor(who, kind, message);
    return;
  }
  ctx.errors.record({
    kind,
    message,
    deviceId: null,
    deviceName: null,
    clientId: null,
    remoteAddress: who.remoteAddress,
  });
}

/** The caller of an HTTP request: no client id, no connection (each request stands alone). */
export function httpCaller(
  device: DeviceCaller['device'],
  remoteAddress: string,
  request: string,
): DeviceCaller {
  return { device, transport: 'http', remoteAddress, clientId: null, request };
}
