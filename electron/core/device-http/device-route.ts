/**
 * Which device API call an HTTP request is: `/api/v1/{token}/{resource}` with its method.
 * Everything else is not part of the device API (404), or the wrong method on a known
 * resource (405, with the methods it takes).
 */
import { HTTP_DEVICE_PREFIX } from '../../../shared/protocol/http-device-api';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';

export type DeviceCall =
  | { kind: 'telemetry' }
  | { kind: 'clientAttributes' }
  | { kind: 'attributeRequest' }
  | { kind: 'attributeUpdates' }
  | { kind: 'rpcPoll' }
  | { kind: 'rpcRequest' }
  | { kind: 'rpcResponse'; requestId: string }
  | { kind: 'download'; type: OtaPackageType };

export type DeviceRoute =
  | { kind: 'call'; token: string; call: DeviceCall }
  | { kind: 'wrong-method'; allowed: readonly string[] }
  | { kind: 'not-found' };

const RESOURCES: Record<string, Partial<Record<string, DeviceCall>>> = {
  telemetry: { POST: { kind: 'telemetry' } },
  attributes: { POST: { kind: 'clientAttributes' }, GET: { kind: 'attributeRequest' } },
  'attributes/updates': { GET: { kind: 'attributeUpdates' } },
  rpc: { GET: { kind: 'rpcPoll' }, POST: { kind: 'rpcRequest' } },
  firmware: { GET: { kind: 'download', type: 'FIRMWARE' } },
  software: { GET: { kind: 'download', type: 'SOFTWARE' } },
};

const PATH = new RegExp(`^${HTTP_DEVICE_PREFIX}/([^/]+)/(.+?)/?$`);

export function routeDeviceRequest(method: string, pathname: string): DeviceRoute {
  const match = PATH.exec(pathname);
  if (!match) return { kind: 'not-found' };
  const [, rawToken = '', resource = ''] = match;
  let token: string;
  try {
    token = decodeURIComponent(rawToken);
  } catch {
    return { kind: 'not-found' };
  }
  const rpcReply = /^rpc\/([^/]+)$/.exec(resource);
  if (rpcReply) {
    if (method !== 'POST') return { kind: 'wrong-method', allowed: ['POST'] };
    return { kind: 'call', token, call: { kind: 'rpcResponse', requestId: rpcReply[1] ?? '' } };
  }
  const methods = RESOURCES[resource];
  if (!methods) return { kind: 'not-found' };
  const call = methods[method];
  if (!call) return { kind: 'wrong-method', allowed: Object.keys(methods) };
  return { kind: 'call', token, call };
}
