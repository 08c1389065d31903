import type { DeviceMessageKind } from '../../../shared/api/entities';
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { truncate } from '../../../shared/text/truncate';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { OtaService } from '../ota/ota-service';
import type { AttributeRepository } from '../repositories/attributes';
import type { DeviceIdentity, DeviceRepository } from '../repositories/devices';
import type { TelemetryRepository } from '../repositories/telemetry';
import type { StationEvents } from '../station-events';
import type { Db } from '../storage/database';
import { type AttributeRequest, parseAttributeRequest } from './attribute-request';
import { parseChunkSize } from './chunk-size';
import type { DeviceConnection } from './device-connection';
import {
  accepted,
  type DeviceCaller,
  type DeviceOrigin,
  type DeviceRefusal,
  type DeviceResult,
  DONE,
  type Refused,
} from './device-result';
import { isNestedDeeperThan, MAX_JSON_DEPTH } from './json-depth';
import type { Download, PackageDownloads, WantedPackage } from './package-download';
import type { ProtocolErrorLog } from './protocol-error-log';
import type { SessionRegistry } from './session-registry';
import { isPlainObject, parseTelemetry } from './telemetry-payload';
import type { UplinkLimits, UplinkVerdict } from './uplink-limits';

export type { DeviceConnection, DeviceTransport } from './device-connection';
export type { DeviceCaller, DeviceOrigin, DeviceRefusal, DeviceResult } from './device-result';
export type { Download, WantedPackage } from './package-download';

/** Which attributes a device asks for: undefined = not that group; 'all' = every one of it. */
export type AttributeQuery = AttributeRequest;
/** The groups asked for that hold any value (ThingsBoard leaves empty groups out). */
export type AttributeValues = {
  client?: Record<string, unknown>;
  shared?: Record<string, unknown>;
};

export interface SessionLimits {
  /** The largest chunk the station serves, and so the largest message a device may send. */
  maxPayloadSize: number;
  maxInflightMessages: number;
}

export interface DeviceServiceDeps {
  db: Db;
  devices: DeviceRepository;
  attributes: AttributeRepository;
  telemetry: TelemetryRepository;
  ota: OtaService;
  downloads: PackageDownloads;
  sessions: SessionRegistry;
  notifier: ChangeNotifier;
  errors: ProtocolErrorLog;
  events: StationEvents;
  sessionLimits: SessionLimits;
  uplink: UplinkLimits;
  /** Connections one device (one access token) may hold at once. */
  maxSessionsPerDevice: number;
}

/**
 * Every device-facing operation of the station, whatever the transport: a transport adapter
 * (MQTT, HTTP, CoAP) turns its requests into these calls and the results into its own codes,
 * and decides nothing about devices, packages or states itself. Every refusal is recorded in
 * the protocol-error log here, once, naming the device; none throws (a bug or a storage
 * failure is an 'internal' refusal).
 */
export class DeviceService {
  constructor(private readonly deps: DeviceServiceDeps) {}

  /** The device a token belongs to; an unknown one is recorded as a bad-token protocol error. */
  authenticate(token: string, from: DeviceOrigin): DeviceIdentity | undefined {
    const device = token ? this.deps.devices.identityByToken(token) : undefined;
    if (device) {
      this.deps.notifier.deviceTransport(device.id, from.transport);
      return device;
    }
    this.deps.errors.record({
      kind: 'bad-token',
      message: token ? `Unknown access token "${mask(token)}"` : 'Request without an access token',
      deviceId: null,
      deviceName: null,
      clientId: from.clientId,
      remoteAddress: from.remoteAddress,
    });
    return undefined;
  }

  /**
   * Whether the device may open one more connection with this client id: one that takes over
   * a connection the device holds with the same id is never refused.
   */
  admit(caller: DeviceCaller & { clientId: string }): DeviceResult {
    const limit = this.deps.maxSessionsPerDevice;
    if (this.deps.sessions.othersThan(caller.device.id, caller.clientId) < limit) return DONE;
    return this.refuse(
      caller,
      'rate-limited',
      'session-limit',
      `Device already holds ${limit} sessions (the limit per device): connection refused`,
    );
  }

  /** Registers a live connection: older ones with its client id are taken over. */
  connected(connection: DeviceConnection): void {
    const now = Date.now();
    for (const older of this.deps.sessions.add(connection)) {
      older.close('session taken over by a new connection with the same client id', 'taken-over');
    }
    this.deps.notifier.deviceSeen(connection.device.id, now);
    this.announceConnection(connection.device, true, now);
  }

  disconnected(connection: DeviceConnection): void {
    const now = Date.now();
    this.deps.notifier.deviceSeen(connection.device.id, now);
    if (this.deps.sessions.remove(connection))
      this.announceConnection(connection.device, false, now);
  }

  /** Counts a message for the Station page's list of connections (cheap: every chunk). */
  noteMessage(connection: DeviceConnection, kind: DeviceMessageKind): void {
    this.deps.sessions.noteMessage(connection, kind);
  }

  /** Telemetry in any of ThingsBoard's forms; fw_state/sw_state in it move the execution. */
  telemetry(caller: DeviceCaller, payload: Buffer): DeviceResult {
    return this.guard(caller, 'telemetry', () => {
      const json = this.parseLimited(caller, 'Telemetry', 'telemetry', payload);
      if (!json.ok) return json;
      const now = Date.now();
      const entries = parseTelemetry(json.value, now);
      if (!entries) {
        return this.refuse(
          caller,
          'bad-request',
          'bad-telemetry',
          'Telemetry must be an object, {"ts","values"}, or an array of those',
        );
      }
      const { device } = caller;
      const points = entries.reduce((sum, entry) => sum + Object.keys(entry.values).length, 0);
      const verdict = this.deps.uplink.telemetry(device.id, payload.length, points);
      const rate = this.withinRate(caller, 'telemetry', verdict);
      if (!rate.ok) return rate;
      // One transaction: the points and the states they move are stored together or not at
      // all, and one commit per message instead of one per row.
      this.deps.db.transaction(() => {
        this.deps.telemetry.insert(device.id, entries);
        this.deps.devices.touchLastSeen(device.id, now);
        this.deps.ota.onTelemetry(device, entries);
      })();
      return DONE;
    });
  }

  clientAttributes(caller: DeviceCaller, payload: Buffer): DeviceResult {
    return this.guard(caller, 'client attributes', () => {
      const json = this.parseLimited(caller, 'Attributes', 'attributes', payload);
      if (!json.ok) return json;
      const values = json.value;
      if (!isPlainObject(values)) {
        return this.refuse(
          caller,
          'bad-request',
          'bad-attributes',
          'Client attributes must be a JSON object',
        );
      }
      const { device } = caller;
      const verdict = this.deps.uplink.attributes(device.id, payload.length);
      const rate = this.withinRate(caller, 'attributes', verdict);
      if (!rate.ok) return rate;
      const now = Date.now();
      this.deps.db.transaction(() => {
        this.deps.attributes.set(device.id, 'CLIENT', values);
        this.deps.ota.onClientAttributes(device, values, now);
      })();
      this.deps.notifier.deviceChanged(device.id);
      return DONE;
    });
  }

  /**
   * An attribute request as a JSON body, `{"clientKeys":"a,b","sharedKeys":"c"}` (MQTT's
   * form); an empty body asks for everything, like `{}`.
   */
  attributeRequest(caller: DeviceCaller, payload: Buffer): DeviceResult<AttributeValues> {
    return this.guard(caller, 'attribute request', () => {
      const json =
        payload.length === 0 ? accepted({}) : this.parseJson(caller, 'attribute request', payload);
      if (!json.ok) return json;
      const query = this.attributeQuery(caller, json.value);
      return query.ok ? this.attributes(caller, query.value) : query;
    });
  }

  /**
   * Reads `{clientKeys, sharedKeys}` (a JSON body, or an HTTP query string's parameters): keys
   * are comma-separated strings; neither given asks for everything.
   */
  attributeQuery(caller: DeviceCaller, json: unknown): DeviceResult<AttributeQuery> {
    const query = parseAttributeRequest(json);
    if (query) return accepted(query);
    return this.refuse(
      caller,
      'bad-request',
      'bad-attribute-request',
      'Attribute request keys must be comma-separated strings',
    );
  }

  attributes(caller: DeviceCaller, query: AttributeQuery): DeviceResult<AttributeValues> {
    return this.guard(caller, 'attribute request', () => {
      const deviceId = caller.device.id;
      const response: AttributeValues = {};
      const groups = [
        ['client', 'CLIENT', query.clientKeys],
        ['shared', 'SHARED', query.sharedKeys],
      ] as const;
      for (const [name, scope, keys] of groups) {
        if (keys === undefined) continue;
        const values = this.deps.attributes.get(deviceId, scope, keys === 'all' ? undefined : keys);
        if (Object.keys(values).length > 0) response[name] = values;
      }
      return accepted(response);
    });
  }

  /**
   * A client-side RPC: `getSessionLimits` is answered; any other method is recorded and
   * answered `{"error": …}`, which ThingsBoard's SDKs read as the method failing.
   */
  rpc(caller: DeviceCaller, payload: Buffer): DeviceResult<Record<string, unknown>> {
    return this.guard<Record<string, unknown>>(caller, 'RPC request', () => {
      const json = this.parseJson(caller, 'RPC request', payload);
      if (!json.ok) return json;
      const method = isPlainObject(json.value) ? json.value.method : undefined;
      if (method === 'getSessionLimits') return accepted({ ...this.sessionLimits() });
      const name = truncate(typeof method === 'string' ? method : '(none)');
      this.record(caller, 'unsupported-rpc', `RPC method ${name} is not supported by the station`);
      return accepted({ error: `Unsupported RPC method: ${name}` });
    });
  }

  sessionLimits(): SessionLimits & { rateLimits: Record<string, string> } {
    const { maxPayloadSize, maxInflightMessages } = this.deps.sessionLimits;
    return { maxPayloadSize, maxInflightMessages, rateLimits: this.deps.uplink.announced() };
  }

  /**
   * The chunk size a device asks for (decimal text, also JSON-quoted): undefined when none is
   * given (empty or 0). Over the station's largest chunk it is 'too-large'. `request` names
   * the request in the log, e.g. "Chunk request 7/0".
   */
  chunkSize(caller: DeviceCaller, raw: Buffer, request: string): DeviceResult<number | undefined> {
    const size = parseChunkSize(raw);
    if (size.kind === 'invalid') {
      return this.refuse(caller, 'bad-request', 'bad-chunk-size', `${request}: ${size.reason}`);
    }
    if (size.kind === 'empty') return accepted(undefined);
    const max = this.deps.sessionLimits.maxPayloadSize;
    if (size.bytes > max) {
      return this.refuse(
        caller,
        'too-large',
        'chunk-too-large',
        `Chunk size ${size.bytes} is over the station's limit of ${max} bytes`,
      );
    }
    return accepted(size.bytes);
  }

  /**
   * Opens the device's package of `type` (the one assigned to it), checking title/version
   * when given. The open download is kept for the device's next request, of any transport,
   * while it still holds (see PackageDownloads); reads of an open one cost no lookup.
   */
  openDownload(
    caller: DeviceCaller,
    type: OtaPackageType,
    wanted: WantedPackage = {},
  ): Promise<DeviceResult<Download>> {
    try {
      return this.deps.downloads.open(caller, type, wanted);
    } catch (error) {
      return Promise.resolve(this.internal(caller, `${type.toLowerCase()} download`, error));
    }
  }

  /** Downloads held open for devices' next chunk requests (bounded, let go when idle). */
  get openDownloads(): number {
    return this.deps.downloads.openCount;
  }

  /** Records a refusal the transport found itself (e.g. a chunk it could not send). */
  refuse(caller: DeviceCaller, refusal: DeviceRefusal, kind: string, message: string): Refused {
    this.record(caller, kind, message);
    return { ok: false, refusal, message };
  }

  private record(caller: DeviceCaller, kind: string, message: string): void {
    this.deps.errors.recordFor(caller, kind, message);
  }

  /** A bug or a storage failure on one request must not take the station down. */
  private guard<T>(
    caller: DeviceCaller,
    operation: string,
    run: () => DeviceResult<T>,
  ): DeviceResult<T> {
    try {
      return run();
    } catch (error) {
      return this.internal(caller, operation, error);
    }
  }

  private internal(caller: DeviceCaller, operation: string, error: unknown): Refused {
    const what = truncate(caller.request ?? operation);
    return this.refuse(
      caller,
      'internal',
      'internal-error',
      `Could not handle ${what}: ${String(error)}`,
    );
  }

  /** Size first (a message over the limit is not even read), then the JSON. */
  private parseLimited(
    caller: DeviceCaller,
    title: string,
    what: string,
    payload: Buffer,
  ): DeviceResult<unknown> {
    if (this.deps.uplink.checkSize(payload.length) !== 'ok') {
      const max = this.deps.uplink.options.maxMessageBytes;
      return this.refuse(
        caller,
        'too-large',
        'message-too-large',
        `${title} of ${payload.length} bytes dropped: at most ${max} bytes per message`,
      );
    }
    return this.parseJson(caller, what, payload);
  }

  /**
   * Over the device's rate the message is dropped. The transport also closes a connection
   * (ThingsBoard's MQTT transport does: DISCONNECT 0x96): a device that ignores the limits it
   * was told would otherwise go on being read at full speed.
   */
  private withinRate(caller: DeviceCaller, what: string, verdict: UplinkVerdict): DeviceResult {
    if (verdict === 'ok') return DONE;
    const { telemetryMessages, telemetryDataPoints, bytes } = this.deps.uplink.options;
    return this.refuse(
      caller,
      'rate-limited',
      'rate-limit',
      `Sent ${what} faster than allowed (messages ${telemetryMessages}, data points ` +
        `${telemetryDataPoints}, bytes ${bytes} per N:seconds): message dropped, disconnected`,
    );
  }

  private parseJson(caller: DeviceCaller, what: string, payload: Buffer): DeviceResult<unknown> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8')) as unknown;
    } catch {
      return this.refuse(
        caller,
        'bad-request',
        'invalid-json',
        `Invalid JSON in ${what}: ${truncate(payload.toString('utf8'))}`,
      );
    }
    if (isNestedDeeperThan(json)) {
      return this.refuse(
        caller,
        'bad-request',
        'invalid-json',
        `JSON in ${what} is nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    return accepted(json);
  }

  private announceConnection(device: DeviceIdentity, online: boolean, at: number): void {
    this.deps.events.emit('device.connection', {
      deviceId: device.id,
      deviceName: device.name,
      online,
      at,
    });
  }
}

/** Tokens are secrets: the log shows enough to recognise one, not to reuse it. */
function mask(token: string): string {
  return token.length <= 4 ? '****' : `${token.slice(0, 4)}…`;
}
