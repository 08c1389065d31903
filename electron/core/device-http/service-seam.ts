/**
 * TEMPORARY: the shape of the transport-neutral DeviceService the HTTP adapter calls, until the
 * service itself lands (then these types are imported from it and this file goes).
 */
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import type { DeviceIdentity } from '../repositories/devices';

export type DeviceTransport = 'mqtt' | 'http' | 'coap';

export interface DeviceCaller {
  device: DeviceIdentity;
  transport: DeviceTransport;
  remoteAddress: string;
  clientId: string | null;
  connection?: DeviceConnection;
}

export type DeviceRefusal =
  | 'bad-request'
  | 'too-large'
  | 'rate-limited'
  | 'not-found'
  | 'mismatch'
  | 'unavailable'
  | 'internal';

export type DeviceResult<T = undefined> =
  { ok: true; value: T } | { ok: false; refusal: DeviceRefusal; message: string };

export interface AttributeQuery {
  clientKeys?: string[] | 'all';
  sharedKeys?: string[] | 'all';
}

export interface Download {
  packageId: string;
  title: string;
  version: string;
  size: number;
  contentType: string;
  fileName: string;
  read(offset: number, length: number): Promise<Buffer>;
  served(end: number): void;
}

export interface DeviceConnection {
  readonly id: string;
  readonly device: DeviceIdentity;
  readonly transport: DeviceTransport;
  readonly remoteAddress: string;
  readonly clientId: string;
  readonly connectedAt: number;
  readonly protocolLabel: string;
  wantsAttributeUpdates(): boolean;
  pushAttributes(json: string): void;
  close(reason: string): void;
}

export interface DeviceServicePort {
  authenticate(
    token: string,
    from: { transport: DeviceTransport; remoteAddress: string; clientId: string | null },
  ): DeviceIdentity | undefined;
  telemetry(caller: DeviceCaller, payload: Buffer): DeviceResult;
  clientAttributes(caller: DeviceCaller, payload: Buffer): DeviceResult;
  attributes(
    caller: DeviceCaller,
    query: AttributeQuery,
  ): DeviceResult<{ client?: Record<string, unknown>; shared?: Record<string, unknown> }>;
  parseAttributeQuery(json: unknown): AttributeQuery | undefined;
  rpc(caller: DeviceCaller, payload: Buffer): DeviceResult<Record<string, unknown>>;
  openDownload(
    caller: DeviceCaller,
    type: OtaPackageType,
    wanted: { title?: string; version?: string },
  ): Promise<DeviceResult<Download>>;
  connected(connection: DeviceConnection): void;
  disconnected(connection: DeviceConnection): void;
  sessionLimits(): { maxPayloadSize: number; maxInflightMessages: number; rateLimits: unknown };
}
