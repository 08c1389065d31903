/**
 * The contract between the MQTT session layer and the device API layer that plugs into it.
 * The session layer is generic: it knows nothing of devices, storage or firmware.
 */
import type { MqttSession } from './mqtt-session';

export type ProtocolVersion = 3 | 4 | 5;

export interface ConnectInfo {
  /** As sent, or an id assigned by the endpoint when the client sent an empty one. */
  clientId: string;
  username?: string;
  password?: Buffer;
  protocolVersion: ProtocolVersion;
  remoteAddress: string;
  /** Seconds, as requested in CONNECT (0 = no keep-alive). */
  keepalive: number;
}

export interface IncomingPublish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export interface ProtocolErrorEvent<P> {
  session?: MqttSession<P>;
  clientId?: string;
  remoteAddress: string;
  kind: string;
  message: string;
  /** The topic or filter concerned, when there is one (e.g. a refused subscription's filter). */
  topic?: string;
}

export interface SessionHandlers<P> {
  /** Return the principal (e.g. the device) to accept, or null to refuse as bad credentials (the handler records why; the endpoint does not report it again). May be async. */
  authenticate(info: ConnectInfo): P | null | Promise<P | null>;
  onConnected?(session: MqttSession<P>): void;
  /**
   * Synchronous: returns the MQTT 5 PUBACK reason code (0 = success, 0x90 topic name invalid,
   * 0x99 payload format invalid, 0x80 unspecified...). For 3.1.1 the code is not sent (plain
   * PUBACK). The handler records why it rejected a message; this layer does not report it again. Any session.publish() made synchronously inside
   * onPublish is sent AFTER this PUBLISH's PUBACK (the protocol requires PUBACK before the
   * response data); async work later publishes normally.
   */
  onPublish(session: MqttSession<P>, message: IncomingPublish): number;
  onDisconnected?(session: MqttSession<P>, reason: string): void;
  /** Malformed packets, refused auth, refused subscriptions, keep-alive timeouts, queue overflow... for the UI's "recent protocol errors". */
  onProtocolError?(event: ProtocolErrorEvent<P>): void;
}

export interface MqttEndpointOptions<P> {
  host: string;
  /** 0 = ephemeral. */
  port: number;
  tls?: { key: Buffer | string; cert: Buffer | string };
  handlers: SessionHandlers<P>;
  /** Exact filter strings that are granted; all others refused. */
  subscribableFilters: readonly string[];
  /** Default 1 MiB: larger packets -> protocol error + close (v5: DISCONNECT 0x95 first). */
  maxIncomingPacketBytes?: number;
  /** Outgoing QoS 1 messages awaiting PUBACK per session; default 100 (v5: min with the client's receiveMaximum). */
  maxInflight?: number;
  /** Per-session outbound queue cap, default 32 MiB; beyond -> close that session with a protocol error. */
  maxQueuedBytes?: number;
  /** Default 10 s for the CONNECT to arrive. */
  connectTimeoutMs?: number;
  /**
   * Open connections (sessions and those still before CONNACK), default 16384. Over it a
   * CONNECT is refused with quota exceeded (3.1.1: server unavailable), as ThingsBoard does.
   */
  maxConnections?: number;
  /**
   * Largest keep-alive granted, default 300 s: a client asking for 0 or more gets this (MQTT 5:
   * Server Keep Alive in CONNACK; 3.1.1: the idle limit), like mosquitto's max_keepalive.
   */
  maxKeepAliveSeconds?: number;
}

/** Where a session reports protocol errors; filled in by the endpoint. */
export type ProtocolErrorSink<P> = (event: ProtocolErrorEvent<P>) => void;
