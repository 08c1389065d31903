/**
 * What a simulated device puts on the wire and reads from it, byte for byte as in the seed
 * (JSON without spaces), kept apart from the state machine so both stay readable.
 */
import { otaKeys, type OtaPackageType } from '../../shared/protocol/ota-keys';
import type { DeviceReportedState } from '../../shared/protocol/states';

/** `fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm`, then the sw_ twins. */
export function sharedKeysRequest(types: readonly OtaPackageType[]): string {
  return JSON.stringify({ sharedKeys: requestedKeys(types).join(',') });
}

export function requestedKeys(types: readonly OtaPackageType[]): string[] {
  return types.flatMap((type) => {
    const k = otaKeys(type);
    return [k.title, k.version, k.size, k.checksum, k.checksumAlgorithm];
  });
}

/** `{"current_fw_title":..,"current_fw_version":..}` plus `fw_state` when given. */
export function currentTelemetry(
  type: OtaPackageType,
  title: string,
  version: string,
  state?: DeviceReportedState,
): string {
  const k = otaKeys(type);
  const body: Record<string, string> = { [k.currentTitle]: title, [k.currentVersion]: version };
  if (state) body[k.state] = state;
  return JSON.stringify(body);
}

export function failedTelemetry(type: OtaPackageType, error: string): string {
  const k = otaKeys(type);
  return JSON.stringify({ [k.state]: 'FAILED', [k.error]: error });
}

/** `{"shared":{...}}` of an attribute response; undefined when it is not JSON at all. */
export function parseAttributeResponse(payload: Buffer): Record<string, unknown> | undefined {
  const body = parseObject(payload);
  if (!body) return undefined;
  return isObject(body.shared) ? body.shared : {};
}

/** A push: flat changed keys, or `{"deleted":[...]}`. */
export function parseAttributePush(
  payload: Buffer,
): { values: Record<string, unknown>; deleted: string[] } | undefined {
  const body = parseObject(payload);
  if (!body) return undefined;
  const { deleted, ...values } = body;
  return { values, deleted: Array.isArray(deleted) ? deleted.map(String) : [] };
}

const CHUNK_RESPONSE = /^v2\/(fw|sw)\/response\/([^/]+)\/chunk\/(\d+)$/;

export function parseChunkResponseTopic(
  topic: string,
): { type: OtaPackageType; requestId: string; index: number } | undefined {
  const match = CHUNK_RESPONSE.exec(topic);
  if (!match || match[2] === undefined) return undefined;
  return {
    type: match[1] === 'fw' ? 'FIRMWARE' : 'SOFTWARE',
    requestId: match[2],
    index: Number(match[3]),
  };
}

function parseObject(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
