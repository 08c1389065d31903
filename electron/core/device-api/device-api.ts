import {
  parseDeviceTopic,
  RPC_RESPONSE_PREFIX,
  ATTRIBUTES_RESPONSE_PREFIX,
} from '../../../shared/protocol/topics';
import type {
  ConnectInfo,
  IncomingPublish,
  ProtocolErrorEvent,
  SessionHandlers,
} from '../mqtt/types';
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
}

type Outcome = number;

/**
 * The ServicePleX device API over MQTT: every topic a device publishes to is an API call,
 * answered to that device's session (PROTOCOL.md §1).
 */
export class DeviceApi implements SessionHandlers<DeviceIdentity> {
  constructor(private readonly deps: DeviceApiDeps) {}

  authenticate(info: ConnectInfo): DeviceIdentity | null {
    const token = info.username ?? '';
    const device = token ? this.deps.devices.identityByToken(token) : undefined;
    if (device) return device;
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

  onConnected(session: DeviceSession): void {
    const device = session.principal;
    const now = Date.now();
    for (const older of this.deps.sessions.add(session)) {
      older.close(
        'session taken over by a new connection with the same client id',
        RC5.sessionTakenOver,
      );
    }
    this.deps.devices.touchLastSeen(device.id, now);
    this.announceConnection(device, true, now);
    this.deps.notifier.deviceChanged(device.id);
  }

  onDisconnected(session: DeviceSession): void {
    const device = session.principal;
    const now = Date.now();
    this.deps.devices.touchLastSeen(device.id, now);
    if (this.deps.sessions.remove(session)) this.announceConnection(device, false, now);
    this.deps.notifier.deviceChanged(device.id);
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
    const device = event.session?.principal;
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
    const json = this.parseJson(session, 'attributes', payload);
    if (json === undefined) return RC5.payloadFormatInvalid;
    if (!isPlainObject(json)) {
      this.reject(session, 'bad-attributes', 'Client attributes must be a JSON object');
      return RC5.payloadFormatInvalid;
    }
    this.deps.attributes.set(session.principal.id, 'CLIENT', json);
    this.deps.notifier.deviceChanged(session.principal.id);
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
      // The station applies no message rate limits: devices on site are its only clients.
      session.publish(
        topic,
        JSON.stringify({ maxPayloadSize, maxInflightMessages, rateLimits: {} }),
      );
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
