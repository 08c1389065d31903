import type { DeviceIdentity } from '../repositories/devices';
import type { DeviceConnection, DeviceTransport } from './device-connection';

/** Where a call comes from before the device is known: for the log of refused tokens. */
export interface DeviceOrigin {
  readonly transport: DeviceTransport;
  readonly remoteAddress: string;
  /** The MQTT client id; null on HTTP/CoAP. */
  readonly clientId: string | null;
}

/** Who is calling and how: for the protocol-error log and the device's last transport. */
export interface DeviceCaller extends DeviceOrigin {
  readonly device: DeviceIdentity;
  /** MQTT / CoAP observe: the live connection the call came on. */
  readonly connection?: DeviceConnection;
  /**
   * What the device asked, in its transport's words (an MQTT topic), named in the log when
   * handling it fails; never anything that holds the access token. Default: the operation.
   */
  readonly request?: string;
}

/** Why a request was refused; each transport maps it to its own code. */
export type DeviceRefusal =
  /** Malformed JSON, wrong shape, bad parameter (HTTP 400, CoAP 4.00, MQTT 0x99). */
  | 'bad-request'
  /** Over the message size limit (HTTP 413, CoAP 4.13, MQTT 0x97). */
  | 'too-large'
  /** Over the device's rate or session limit (HTTP 429, CoAP 4.29, MQTT 0x97 and close). */
  | 'rate-limited'
  /** Nothing assigned, no such package (HTTP 404, CoAP 4.04, MQTT chunk NOT_FOUND). */
  | 'not-found'
  /** The title/version asked for is not the device's package (HTTP 400, CoAP 4.00). */
  | 'mismatch'
  /** The package is corrupt or unreadable (HTTP 500/503, CoAP 5.00, MQTT chunk FAILURE). */
  | 'unavailable'
  /** A bug or a storage failure (HTTP 500, CoAP 5.00, MQTT 0x80). */
  | 'internal';

/** A refusal has always been recorded in the protocol-error log by the time it is returned. */
export interface Refused {
  ok: false;
  refusal: DeviceRefusal;
  message: string;
}

export type DeviceResult<T = undefined> = { ok: true; value: T } | Refused;

export function accepted<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export const DONE: DeviceResult = accepted(undefined);
