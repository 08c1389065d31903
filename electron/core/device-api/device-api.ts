import {
  parseDeviceTopic,
  RPC_RESPONSE_PREFIX,
  ATTRIBUTES_RESPONSE_PREFIX,
  SDK_RESPONSE_FILTERS,
} from '../../../shared/protocol/topics';
import type {
  ConnectInfo,
  IncomingPublish,
  ProtocolErrorEvent,
  SessionHandlers,
} from '../mqtt/types';
import { ConnectRefusedError } from '../mqtt/connect-rules';
import { RC5 } from '../mqtt/reason-codes';
import type { AttributeRepository } from '../repositories/attributes';
import type { Db } from '../storage/database';
import type { DeviceIdentity, DeviceRepository } from '../repositories/devices';
import type { TelemetryRepository } from '../repositories/telemetry';
import type { StationEvents } from '../station-events';
import type { ChangeNotifier } from '../ota/change-notifier';
import type { OtaService } from '../ota/ota-service';
import { parseAttributeRequest } from './attribute-request';
import { isNestedDeeperThan, MAX_JSON_DEPTH } from './json-depth';
import type { ChunkServer } from './chunk-server';
import type { ProtocolErrorLog } from './protocol-error-log';
import type { DeviceSession, SessionRegistry } from './session-registry';
import { isPlainObject, parseTelemetry } from './telemetry-payload';
import type { UplinkLimits, UplinkVerdict } from './uplink-limits';

export interface DeviceApiDeps {
  db: Db;
  devices: DeviceRepository;
  attributes: AttributeRepository;
  telemetry: TelemetryRepository;
  ota: OtaService;
  chunks: ChunkServer;
  sessions: SessionRegistry;
  notifier: ChangeNotifier;
  errors: ProtocolErrorLog;
  events: StationEvents;
  /** What getSessionLimits answers; maxPayloadSize is the largest chunk the station serves. */
  sessionLimits: { maxPayloadSize: number; maxInflightMessages: number };
  uplink: UplinkLimits;
  /** Sessions one device (one access token) may hold at once. */
  maxSessionsPerDevice: number;
}

type Outcome = number;

/**
 * The ServicePleX device API over MQTT: every topic a device publishes to is an API call,
 * answered to that device's session (docs/device-protocol.md).
 */
export class DeviceApi implements SessionHandlers<DeviceIdentity> {
  constructor(private readonly deps: DeviceApiDeps) {}

  authenticate(info: ConnectInfo): DeviceIdentity | null {
    const token = info.username ?? '';
    const device = token ? this.deps.devices.identityByToken(token) : undefined;
    if (device) {
      this.checkSessionLimit(device, info);
      return device;
    }
    this.deps.errors.record({
      kind: 'bad-token',
      message: token
        ? `Unknown access token "${mask(token)}"`
        : 'CONNECT without an access token (MQTT username)',
      deviceId: null,
      deviceName: null,
      clientId: info.clientId,
      remoteAddress: info.remoteAddress,
    });
    return null;
  }

  /** A reconnect with a client id the device holds takes that session over: never refused. */
  private checkSessionLimit(device: DeviceIdentity, info: ConnectInfo): void {
    const limit = this.deps.maxSessionsPerDevice;
    if (this.deps.sessions.othersThan(device.id, info.clientId) < limit) return;
    const message = `Device already holds ${limit} sessions (the limit per device): connection refused`;
    this.deps.errors.record({
      kind: 'session-limit',
      message,
      deviceId: device.id,
      deviceName: device.name,
      clientId: info.clientId,
      remoteAddress: info.remoteAddress,
    });
    throw new ConnectRefusedError('quota-exceeded', null, message);
  }

  onConnected(session: DeviceSession): void {
    const device = session.principal;
    const now = Date.now();
    for (const older of this.deps.sessions.add(session)) {
      older.close(
        'session taken over by a new connection with the same client id',
        RC5.sessionTakenOver,
      );
    }
    this.deps.notifier.deviceSeen(device.id, now);
    this.announceConnection(device, true, now);
  }

  onDisconnected(session: DeviceSession): void {
    const device = session.principal;
    const now = Date.now();
    this.deps.notifier.deviceSeen(device.id, now);
    if (this.deps.sessions.remove(session)) this.announceConnection(device, false, now);
  }

  private announceConnection(device: DeviceIdentity, online: boolean, at: number): void {
    this.deps.events.emit('device.connection', {
      deviceId: device.id,
      deviceName: device.name,
      online,
      at,
    });
  }

  onProtocolError(event: ProtocolErrorEvent<DeviceIdentity>): void {
    const { session, topic } = event;
    if (
      session &&
      event.kind === 'subscription-refused' &&
      topic !== undefined &&
      SDK_RESPONSE_FILTERS.includes(topic)
    ) {
      this.deps.errors.noteOnceForSession(
        session,
        'sdk-subscription',
        `Subscribed to '${topic}' as ThingsBoard's device SDK does; refused as ThingsBoard refuses it, which changes nothing: chunk responses reach the device anyway`,
      );
      return;
    }
    const device = session?.principal;
    this.deps.errors.record({
      kind: event.kind,
      message: event.message,
      deviceId: device?.id ?? null,
      deviceName: device?.name ?? null,
      clientId: event.clientId ?? event.session?.clientId ?? null,
      remoteAddress: event.remoteAddress,
    });
  }

  onPublish(session: DeviceSession, message: IncomingPublish): Outcome {
    const topic = parseDeviceTopic(message.topic);
    this.deps.sessions.noteMessage(session, topic.kind);
    try {
      switch (topic.kind) {
        case 'telemetry':
          return this.telemetry(session, message.payload);
        case 'clientAttributes':
          return this.clientAttributes(session, message.payload);
        case 'attributeRequest':
          return this.attributeRequest(session, topic.requestId, message.payload);
        case 'rpcRequest':
          return this.rpcRequest(session, topic.requestId, message.payload);
        case 'rpcResponse':
          // The station sends no server-side RPC, so there is nothing to match a response to.
          return RC5.success;
        case 'chunkRequest':
          this.deps.chunks.handle(session, topic, message.payload);
          return RC5.success;
        case 'unknown':
          this.reject(
            session,
            'unknown-topic',
            `Publish to unknown topic "${truncate(message.topic)}"`,
          );
          return RC5.topicNameInvalid;
      }
    } catch (error) {
      // A bug or a storage failure on one message must not take the station down.
      this.reject(
        session,
        'internal-error',
        `Could not handle ${truncate(message.topic)}: ${String(error)}`,
      );
      return RC5.unspecifiedError;
    }
  }

  private telemetry(session: DeviceSession, payload: Buffer): Outcome {
    if (!this.withinSize(session, 'Telemetry', payload)) return RC5.quotaExceeded;
    const json = this.parseJson(session, 'telemetry', payload);
    if (json === undefined) return RC5.payloadFormatInvalid;
    const now = Date.now();
    const entries = parseTelemetry(json, now);
    if (!entries) {
      this.reject(
        session,
        'bad-telemetry',
        'Telemetry must be an object, {"ts","values"}, or an array of those',
      );
      return RC5.payloadFormatInvalid;
    }
    const device = session.principal;
    const points = entries.reduce((sum, entry) => sum + Object.keys(entry.values).length, 0);
    const verdict = this.deps.uplink.telemetry(device.id, payload.length, points);
    if (!this.withinRate(session, 'telemetry', verdict)) return RC5.quotaExceeded;
    // One transaction: the points and the states they move are stored together or not at all,
    // and one commit per message instead of one per row.
    this.deps.db.transaction(() => {
      this.deps.telemetry.insert(device.id, entries);
      this.deps.devices.touchLastSeen(device.id, now);
      this.deps.ota.onTelemetry(device, entries);
    })();
    return RC5.success;
  }

  private clientAttributes(session: DeviceSession, payload: Buffer): Outcome {
    if (!this.withinSize(session, 'Attributes', payload)) return RC5.quotaExceeded;
    const json = this.parseJson(session, 'attributes', payload);
    if (json === undefined) return RC5.payloadFormatInvalid;
    if (!isPlainObject(json)) {
      this.reject(session, 'bad-attributes', 'Client attributes must be a JSON object');
      return RC5.payloadFormatInvalid;
    }
    const verdict = this.deps.uplink.attributes(session.principal.id, payload.length);
    if (!this.withinRate(session, 'attributes', verdict)) return RC5.quotaExceeded;
    const device = session.principal;
    const now = Date.now();
    this.deps.db.transaction(() => {
      this.deps.attributes.set(device.id, 'CLIENT', json);
      this.deps.ota.onClientAttributes(device, json, now);
    })();
    this.deps.notifier.deviceChanged(device.id);
    return RC5.success;
  }

  private attributeRequest(session: DeviceSession, requestId: string, payload: Buffer): Outcome {
    // An empty payload asks for everything, like `{}`.
    const json = payload.length === 0 ? {} : this.parseJson(session, 'attribute request', payload);
    if (json === undefined) return RC5.payloadFormatInvalid;
    const request = parseAttributeRequest(json);
    if (!request) {
      this.reject(
        session,
        'bad-attribute-request',
        'Attribute request keys must be comma-separated strings',
      );
      return RC5.payloadFormatInvalid;
    }
    const deviceId = session.principal.id;
    const response: Record<string, unknown> = {};
    const groups = [
      ['client', 'CLIENT', request.clientKeys],
      ['shared', 'SHARED', request.sharedKeys],
    ] as const;
    for (const [name, scope, keys] of groups) {
      if (keys === undefined) continue;
      const values = this.deps.attributes.get(deviceId, scope, keys === 'all' ? undefined : keys);
      if (Object.keys(values).length > 0) response[name] = values;
    }
    session.publish(`${ATTRIBUTES_RESPONSE_PREFIX}${requestId}`, JSON.stringify(response));
    return RC5.success;
  }

  private rpcRequest(session: DeviceSession, requestId: string, payload: Buffer): Outcome {
    const json = this.parseJson(session, 'RPC request', payload);
    if (json === undefined) return RC5.payloadFormatInvalid;
    const method = isPlainObject(json) ? json.method : undefined;
    const topic = `${RPC_RESPONSE_PREFIX}${requestId}`;
    if (method === 'getSessionLimits') {
      const { maxPayloadSize, maxInflightMessages } = this.deps.sessionLimits;
      const rateLimits = this.deps.uplink.announced();
      session.publish(topic, JSON.stringify({ maxPayloadSize, maxInflightMessages, rateLimits }));
      return RC5.success;
    }
    const name = typeof method === 'string' ? method : '(none)';
    this.reject(
      session,
      'unsupported-rpc',
      `RPC method ${truncate(name)} is not supported by the station`,
    );
    session.publish(topic, JSON.stringify({ error: `Unsupported RPC method: ${truncate(name)}` }));
    return RC5.success;
  }

  /** Over the size limit the message is dropped and refused; the session goes on. */
  private withinSize(session: DeviceSession, what: string, payload: Buffer): boolean {
    if (this.deps.uplink.checkSize(payload.length) === 'ok') return true;
    const max = this.deps.uplink.options.maxMessageBytes;
    this.reject(
      session,
      'message-too-large',
      `${what} of ${payload.length} bytes dropped: at most ${max} bytes per message`,
    );
    return false;
  }

  /**
   * Over the device's rate the message is dropped and the session closed, as ThingsBoard's
   * transport does (MQTT 5: DISCONNECT 0x96): a device that ignores the limits it was told
   * would otherwise go on being read at full speed.
   */
  private withinRate(session: DeviceSession, what: string, verdict: UplinkVerdict): boolean {
    if (verdict === 'ok') return true;
    const { telemetryMessages, telemetryDataPoints, bytes } = this.deps.uplink.options;
    this.reject(
      session,
      'rate-limit',
      `Sent ${what} faster than allowed (messages ${telemetryMessages}, data points ` +
        `${telemetryDataPoints}, bytes ${bytes} per N:seconds): message dropped, disconnected`,
    );
    session.close(`${what} rate limit exceeded`, RC5.messageRateTooHigh);
    return false;
  }

  private parseJson(session: DeviceSession, what: string, payload: Buffer): unknown {
    try {
      const json = JSON.parse(payload.toString('utf8')) as unknown;
      if (isNestedDeeperThan(json)) {
        this.reject(
          session,
          'invalid-json',
          `JSON in ${what} is nested deeper than ${MAX_JSON_DEPTH} levels`,
        );
        return undefined;
      }
      return json;
    } catch {
      this.reject(
        session,
        'invalid-json',
        `Invalid JSON in ${what}: ${truncate(payload.toString('utf8'))}`,
      );
      return undefined;
    }
  }

  private reject(session: DeviceSession, kind: string, message: string): void {
    this.deps.errors.recordForSession(session, kind, message);
  }
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Tokens are secrets: the log shows enough to recognise one, not to reuse it. */
function mask(token: string): string {
  return token.length <= 4 ? '****' : `${token.slice(0, 4)}…`;
}
