/**
 * From TCP accept to CONNACK: the CONNECT must come first and within the connect timeout, the
 * credentials go to the API layer's authenticate(), and the answer is a CONNACK in the
 * client's protocol version. Packets pipelined behind CONNECT (allowed by MQTT §3.1.4) are
 * held, with the socket paused, until the session exists.
 */
import type { IConnectPacket, Packet } from 'mqtt-packet';

import {
  acceptConnack,
  checkConnect,
  ConnectRefusedError,
  effectiveKeepAlive,
  type Refusal,
  refusalConnack,
} from './connect-rules';
import type { PacketSocket } from './packet-socket';
import type { ConnectInfo, ProtocolErrorSink, ProtocolVersion, SessionHandlers } from './types';

export interface HandshakeOptions<P> {
  handlers: SessionHandlers<P>;
  connectTimeoutMs: number;
  maxIncomingPacketBytes: number;
  maxKeepAliveSeconds: number;
  /**
   * The endpoint is at its connection cap: a CONNECT is answered "quota exceeded" (3.1.1:
   * server unavailable) so that the device backs off instead of retrying at once.
   */
  overCapacity: boolean;
  report: ProtocolErrorSink<P>;
  isShuttingDown(): boolean;
  /** The accepting CONNACK has been written; take over with the packets that arrived meanwhile. */
  accepted(accept: {
    io: PacketSocket;
    info: ConnectInfo;
    principal: P;
    /** Seconds, after the endpoint's maximum: what the session's idle limit follows. */
    keepAliveSeconds: number;
    connect: IConnectPacket;
    buffered: Packet[];
  }): void;
}

export function runConnectHandshake<P>(io: PacketSocket, opts: HandshakeOptions<P>): void {
  let state: 'waiting' | 'authenticating' = 'waiting';
  let clientId: string | undefined;
  const buffered: Packet[] = [];

  const report = (kind: string, message: string): void =>
    opts.report({ clientId, remoteAddress: io.remoteAddress, kind, message });

  const timer = setTimeout(() => {
    report('connect-timeout', `no accepted CONNECT within ${opts.connectTimeoutMs} ms`);
    io.destroy('connect timeout');
  }, opts.connectTimeoutMs);

  const refuse = (
    version: ProtocolVersion,
    refusal: Refusal,
    kind: string | null,
    message: string,
  ) => {
    if (kind) report(kind, message);
    io.send(refusalConnack(version, refusal));
    io.close(`connect refused: ${refusal}`);
  };

  const authenticate = async (connect: IConnectPacket): Promise<void> => {
    const version = connect.protocolVersion ?? 4;
    const check = checkConnect(connect);
    clientId = check.ok ? check.clientId : connect.clientId;
    if (!check.ok) {
      refuse(version, check.refusal, 'connect-refused', check.message);
      return;
    }
    if (opts.overCapacity) {
      refuse(version, 'quota-exceeded', 'connection-limit', 'the connection limit is reached');
      return;
    }
    const info: ConnectInfo = {
      clientId: check.clientId,
      protocolVersion: version,
      remoteAddress: io.remoteAddress,
      keepalive: connect.keepalive ?? 0,
    };
    if (connect.username !== undefined) info.username = connect.username;
    if (connect.password !== undefined) info.password = connect.password;

    let principal: P | null;
    try {
      principal = await opts.handlers.authenticate(info);
    } catch (err) {
      if (err instanceof ConnectRefusedError) {
        if (!io.closing) refuse(version, err.refusal, err.kind, err.message);
        return;
      }
      const text = err instanceof Error ? err.message : String(err);
      refuse(version, 'server-unavailable', 'auth-error', `authenticate() failed: ${text}`);
      return;
    }
    if (io.closing) return; // timed out or the client left while we were asking
    if (opts.isShuttingDown()) {
      refuse(version, 'server-unavailable', 'connect-refused', 'server is shutting down');
      return;
    }
    if (principal === null || principal === undefined) {
      // authenticate() refused, so it has recorded why; reporting here too would show it twice.
      refuse(
        version,
        'bad-credentials',
        null,
        `client '${check.clientId}': refused by authenticate()`,
      );
      return;
    }
    clearTimeout(timer);
    const keepAliveSeconds = effectiveKeepAlive(info.keepalive, opts.maxKeepAliveSeconds);
    io.send(
      acceptConnack(version, {
        maxIncomingPacketBytes: opts.maxIncomingPacketBytes,
        assignedClientId: check.assignedClientId,
        // 3.1.1 has no way to say it: the idle limit simply follows keepAliveSeconds.
        serverKeepAlive: keepAliveSeconds !== info.keepalive ? keepAliveSeconds : undefined,
      }),
    );
    io.disconnectAllowed = true;
    opts.accepted({ io, info, principal, connect, buffered, keepAliveSeconds });
    io.resume();
  };

  io.setListener({
    packet(packet) {
      if (state === 'authenticating') {
        buffered.push(packet);
        return;
      }
      if (packet.cmd !== 'connect') {
        report('first-packet-not-connect', `first packet was ${packet.cmd}, not CONNECT`);
        io.destroy('first packet was not CONNECT');
        return;
      }
      state = 'authenticating';
      io.pause();
      authenticate(packet).catch((err: unknown) => {
        // Only a bug can land here (accepted() threw): lose the connection, not the process.
        const text = err instanceof Error ? err.message : String(err);
        report('internal-error', `accepting the connection failed: ${text}`);
        io.destroy(`internal error: ${text}`);
      });
    },
    protocolError: report,
    closed() {
      clearTimeout(timer);
    },
  });
}
