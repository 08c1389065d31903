/**
 * The ServicePleX (ThingsBoard) device MQTT API: every topic is an API call.
 * See docs/device-protocol.md. Parsing lives here so the station, the simulator and the tests agree.
 */
import type { OtaPackageType } from './ota-keys';

export const TELEMETRY_TOPIC = 'v1/devices/me/telemetry';
export const ATTRIBUTES_TOPIC = 'v1/devices/me/attributes';
export const ATTRIBUTES_REQUEST_PREFIX = 'v1/devices/me/attributes/request/';
export const ATTRIBUTES_RESPONSE_PREFIX = 'v1/devices/me/attributes/response/';
export const RPC_REQUEST_PREFIX = 'v1/devices/me/rpc/request/';
export const RPC_RESPONSE_PREFIX = 'v1/devices/me/rpc/response/';
/** TB sends firmware AND software errors here. */
export const FIRMWARE_ERROR_TOPIC = 'v2/fw/error';

/** The filters a device may subscribe to; anything else is refused (SUBACK failure). */
export const SUBSCRIBABLE_FILTERS: readonly string[] = [
  'v1/devices/me/attributes',
  'v1/devices/me/attributes/response/+',
  'v1/devices/me/rpc/request/+',
  'v1/devices/me/rpc/response/+',
  'v2/fw/response/+/chunk/+',
  'v2/fw/error',
  'v2/sw/response/+/chunk/+',
  'v2/sw/error',
];

/**
 * Filters ThingsBoard's own clients (its Python SDK, the firmware script in its docs) subscribe
 * to for chunk responses. They match no topic anyone publishes (a response topic has five
 * levels), so ThingsBoard refuses them and the station does too; the client gets its chunks
 * anyway, since responses go to the requesting session. Refusing them is not a device fault.
 */
export const SDK_RESPONSE_FILTERS: readonly string[] = ['v2/fw/response/+', 'v2/sw/response/+'];

export function otaTopicPrefix(type: OtaPackageType): 'v2/fw' | 'v2/sw' {
  return type === 'FIRMWARE' ? 'v2/fw' : 'v2/sw';
}

export function chunkRequestTopic(type: OtaPackageType, requestId: string, chunk: number): string {
  return `${otaTopicPrefix(type)}/request/${requestId}/chunk/${chunk}`;
}

/** `requestId` is echoed verbatim as the device sent it (`01` stays `01`). */
export function chunkResponseTopic(type: OtaPackageType, requestId: string, chunk: number): string {
  return `${otaTopicPrefix(type)}/response/${requestId}/chunk/${chunk}`;
}

export type DeviceTopic =
  | { kind: 'telemetry' }
  | { kind: 'clientAttributes' }
  | { kind: 'attributeRequest'; requestId: string }
  | { kind: 'rpcRequest'; requestId: string }
  | { kind: 'rpcResponse'; requestId: string }
  | { kind: 'chunkRequest'; type: OtaPackageType; requestId: string; chunk: number }
  | { kind: 'unknown' };

const INTEGER = /^\d+$/;
// v2/fw/request/{id}/chunk/{n}, and the seed's v2/fw/chunk/request/{id}/chunk/{n}.
const CHUNK_REQUEST = /^v2\/(fw|sw)\/(?:chunk\/)?request\/([^/]+)\/chunk\/([^/]+)$/;

/** Classifies a topic a device published to. Integer ids are kept as text, verbatim. */
export function parseDeviceTopic(topic: string): DeviceTopic {
  if (topic === TELEMETRY_TOPIC) return { kind: 'telemetry' };
  if (topic === ATTRIBUTES_TOPIC) return { kind: 'clientAttributes' };
  const attrId = suffixAfter(topic, ATTRIBUTES_REQUEST_PREFIX);
  if (attrId !== undefined) {
    return INTEGER.test(attrId)
      ? { kind: 'attributeRequest', requestId: attrId }
      : { kind: 'unknown' };
  }
  const rpcId = suffixAfter(topic, RPC_REQUEST_PREFIX);
  if (rpcId !== undefined) {
    return INTEGER.test(rpcId) ? { kind: 'rpcRequest', requestId: rpcId } : { kind: 'unknown' };
  }
  const rpcResponseId = suffixAfter(topic, RPC_RESPONSE_PREFIX);
  if (rpcResponseId !== undefined && INTEGER.test(rpcResponseId)) {
    return { kind: 'rpcResponse', requestId: rpcResponseId };
  }
  const chunk = CHUNK_REQUEST.exec(topic);
  if (chunk) {
    const [, family, requestId, index] = chunk;
    if (requestId === undefined || index === undefined || !INTEGER.test(index))
      return { kind: 'unknown' };
    const chunkIndex = Number(index);
    if (!Number.isSafeInteger(chunkIndex)) return { kind: 'unknown' };
    return {
      kind: 'chunkRequest',
      type: family === 'fw' ? 'FIRMWARE' : 'SOFTWARE',
      requestId,
      chunk: chunkIndex,
    };
  }
  return { kind: 'unknown' };
}

function suffixAfter(topic: string, prefix: string): string | undefined {
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length);
  return rest.length > 0 && !rest.includes('/') ? rest : undefined;
}

/**
 * MQTT topic-filter matching (`+` one level, `#` the rest), used to pick a response's QoS.
 * Walks both strings in place: it runs for every chunk sent, so it must not allocate.
 */
export function topicMatchesFilter(topic: string, filter: string): boolean {
  let t = 0;
  let f = 0;
  while (f < filter.length) {
    const c = filter.charCodeAt(f);
    if (c === 35 /* # */) return true;
    if (c === 43 /* + */) {
      // Consume one topic level (possibly empty).
      while (t < topic.length && topic.charCodeAt(t) !== 47 /* / */) t++;
      f++;
    } else {
      if (t >= topic.length || topic.charCodeAt(t) !== c) {
        // `a/#` also matches `a` itself.
        return t === topic.length && filter.endsWith('/#') && f === filter.length - 2;
      }
      t++;
      f++;
    }
  }
  return t === topic.length;
}
