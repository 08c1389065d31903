import {
  ATTRIBUTES_RESPONSE_PREFIX,
  parseDeviceTopic,
  RPC_RESPONSE_PREFIX,
  SDK_RESPONSE_FILTERS,
} from '../../../shared/protocol/topics';
import { truncate } from '../../../shared/text/truncate';
import { ConnectRefusedError } from '../mqtt/connect-rules';
import { RC5 } from '../mqtt/reason-codes';
import type {
  ConnectInfo,
  IncomingPublish,
  ProtocolErrorEvent,
  SessionHandlers,
} from '../mqtt/types';
import type { DeviceIdentity } from '../repositories/devices';
import type { ChunkServer } from './chunk-server';
import type { DeviceOrigin, DeviceRefusal, DeviceResult } from './device-result';
import type { DeviceService } from './device-service';
import { type DeviceSession, MqttDeviceConnection } from './mqtt-device-connection';
import type { ProtocolErrorLog } from './protocol-error-log';

export interface MqttDeviceAdapterDeps {
  service: DeviceService;
  chunks: ChunkServer;
  /** For what only MQTT knows: its own protocol errors, a CONNECT without a username. */
  errors: ProtocolErrorLog;
}

/** PUBACK reason code (MQTT 5) a refusal of a device's message gets. */
const REFUSAL_CODES: Record<DeviceRefusal, number> = {
  'bad-request': RC5.payloadFormatInvalid,
  'too-large': RC5.quotaExceeded,
  'rate-limited': RC5.quotaExceeded,
  'not-found': RC5.unspecifiedError,
  mismatch: RC5.unspecifiedError,
  unavailable: RC5.unspecifiedError,
  internal: RC5.unspecifiedError,
};

/**
 * The device API over MQTT (docs/device-protocol.md): every topic a device publishes to is a
 * DeviceService call, its refusal a PUBACK reason code, its answer a publish to that device's
 * session. Nothing about devices is decided here.
 */
export class MqttDeviceAdapter implements SessionHandlers<DeviceIdentity> {
  private readonly connections = new WeakMap<DeviceSession, MqttDeviceConnection>();

  constructor(private readonly deps: MqttDeviceAdapterDeps) {}

  authenticate(info: ConnectInfo): DeviceIdentity | null {
    const token = info.username ?? '';
    const { clientId, remoteAddress } = info;
    if (!token) {
      this.deps.errors.record({
        kind: 'bad-token',
        message: 'CONNECT without an access token (MQTT username)',
        deviceId: null,
        deviceName: null,
        clientId,
        remoteAddress,
      });
      return null;
    }
    const from: DeviceOrigin = { transport: 'mqtt', remoteAddress, clientId };
    const device = this.deps.service.authenticate(token, from);
    if (!device) return null;
    // A reconnect with a client id the device holds takes that session over: never refused.
    const admitted = this.deps.service.admit({ ...from, clientId, device });
    if (!admitted.ok) throw new ConnectRefusedError('quota-exceeded', null, admitted.message);
    return device;
  }

  onConnected(session: DeviceSession): void {
    this.deps.service.connected(this.connectionOf(session));
  }

  onDisconnected(session: DeviceSession): void {
    this.deps.service.disconnected(this.connectionOf(session));
  }

  onProtocolError(event: ProtocolErrorEvent<DeviceIdentity>): void {
    const { session, topic } = event;
    if (
      session &&
      event.kind === 'subscription-refused' &&
      topic !== undefined &&
      SDK_RESPONSE_FILTERS.includes(topic)
    ) {
      this.deps.errors.noteOnceFor(
        this.connectionOf(session),
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

  onPublish(session: DeviceSession, message: IncomingPublish): number {
    const connection = this.connectionOf(session);
    const topic = parseDeviceTopic(message.topic);
    const { service } = this.deps;
    service.noteMessage(connection, topic.kind);
    // The topic names the request in the log; a chunk request (the hot path) needs no copy.
    const caller =
      topic.kind === 'chunkRequest'
        ? connection.caller
        : { ...connection.caller, request: message.topic };
    try {
      switch (topic.kind) {
        case 'telemetry':
          return this.stored(connection, 'telemetry', service.telemetry(caller, message.payload));
        case 'clientAttributes': {
          const result = service.clientAttributes(caller, message.payload);
          return this.stored(connection, 'attributes', result);
        }
        case 'attributeRequest': {
          const result = service.attributeRequest(caller, message.payload);
          const topicName = `${ATTRIBUTES_RESPONSE_PREFIX}${topic.requestId}`;
          return this.answered(session, topicName, result);
        }
        case 'rpcRequest': {
          const result = service.rpc(caller, message.payload);
          return this.answered(session, `${RPC_RESPONSE_PREFIX}${topic.requestId}`, result);
        }
        case 'rpcResponse':
          // The station sends no server-side RPC, so there is nothing to match a response to.
          return RC5.success;
        case 'chunkRequest':
          this.deps.chunks.handle(connection, topic, message.payload);
          return RC5.success;
        case 'unknown':
          this.deps.errors.recordFor(
            caller,
            'unknown-topic',
            `Publish to unknown topic "${truncate(message.topic)}"`,
          );
          return RC5.topicNameInvalid;
      }
    } catch (error) {
      // A bug on one message must not take the station down.
      const reason = `Could not handle ${truncate(message.topic)}: ${String(error)}`;
      this.deps.errors.recordFor(caller, 'internal-error', reason);
      return RC5.unspecifiedError;
    }
  }

  /**
   * Over the device's rate the session is also closed, as ThingsBoard's transport does (MQTT 5:
   * DISCONNECT 0x96).
   */
  private stored(connection: MqttDeviceConnection, what: string, result: DeviceResult): number {
    if (result.ok) return RC5.success;
    if (result.refusal === 'rate-limited')
      connection.close(`${what} rate limit exceeded`, 'rate-limited');
    return REFUSAL_CODES[result.refusal];
  }

  private answered(session: DeviceSession, topic: string, result: DeviceResult<object>): number {
    if (!result.ok) return REFUSAL_CODES[result.refusal];
    session.publish(topic, JSON.stringify(result.value));
    return RC5.success;
  }

  /** One per session, made on first use (a protocol error may come before onConnected). */
  private connectionOf(session: DeviceSession): MqttDeviceConnection {
    let connection = this.connections.get(session);
    if (!connection) {
      connection = new MqttDeviceConnection(session);
      this.connections.set(session, connection);
    }
    return connection;
  }
}
