/**
 * What to answer a CONNECT: the checks made before authentication and the CONNACK packets
 * for each outcome, in the layout of the client's protocol version.
 */
import { randomUUID } from 'node:crypto';

import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';

import { CONNACK_311, RC5 } from './reason-codes';
import type { ProtocolVersion } from './types';

export type Refusal =
  | 'identifier-rejected'
  | 'bad-credentials'
  | 'bad-authentication-method'
  | 'server-unavailable'
  | 'quota-exceeded';

/**
 * Thrown by authenticate() to refuse a CONNECT for another reason than its credentials (a
 * device over its session limit): the CONNACK carries `refusal`, the error log `kind`.
 */
export class ConnectRefusedError extends Error {
  override readonly name = 'ConnectRefusedError';
  constructor(
    readonly refusal: Refusal,
    /** Null when the thrower has recorded the refusal itself. */
    readonly kind: string | null,
    message: string,
  ) {
    super(message);
  }
}

export type ConnectCheck =
  | { ok: true; clientId: string; assignedClientId: string | undefined }
  | { ok: false; refusal: Refusal; message: string };

/**
 * Checks the parts of CONNECT the session layer is responsible for (not the credentials).
 * A Will is accepted and never published, as ThingsBoard's transport does (thingsboard#3165):
 * the station routes nothing between devices, so no one could receive it; a device's silence is
 * what the jobs' time-out watches instead.
 */
export function checkConnect(packet: IConnectPacket): ConnectCheck {
  const version = packet.protocolVersion ?? 4;
  if (version === 5 && packet.properties?.authenticationMethod !== undefined) {
    // Enhanced authentication (AUTH exchanges) is not offered; tokens come as the username.
    return {
      ok: false,
      refusal: 'bad-authentication-method',
      message: `enhanced authentication '${packet.properties.authenticationMethod}' is not supported`,
    };
  }
  const clientId = packet.clientId;
  if (clientId.length > 0) return { ok: true, clientId, assignedClientId: undefined };
  // An empty client id is allowed from 3.1.1 on, where the server picks one; 3.1.1 allows it
  // only for clean sessions (§3.1.3-8), MQTT 3.1 never.
  if (version === 3 || (version === 4 && packet.clean === false)) {
    return {
      ok: false,
      refusal: 'identifier-rejected',
      message: 'empty client id is not allowed here',
    };
  }
  const assigned = `auto-${randomUUID()}`;
  return { ok: true, clientId: assigned, assignedClientId: assigned };
}

const REFUSAL_CODE_311: Record<Refusal, number> = {
  'identifier-rejected': CONNACK_311.identifierRejected,
  // As ThingsBoard answers an unknown token: "not authorized" (5), not "bad user name" (4).
  'bad-credentials': CONNACK_311.notAuthorized,
  // 3.1.1 has no code for this; it cannot happen there (no properties) but map it safely.
  'bad-authentication-method': CONNACK_311.notAuthorized,
  'server-unavailable': CONNACK_311.serverUnavailable,
  // 3.1.1 has no quota code: ThingsBoard (and its MQTT broker) answer "server unavailable".
  'quota-exceeded': CONNACK_311.serverUnavailable,
};

const REFUSAL_CODE_5: Record<Refusal, number> = {
  'identifier-rejected': RC5.clientIdentifierNotValid,
  'bad-credentials': RC5.badUsernameOrPassword,
  'bad-authentication-method': RC5.badAuthenticationMethod,
  'server-unavailable': RC5.serverUnavailable,
  'quota-exceeded': RC5.quotaExceeded,
};

export function refusalConnack(version: ProtocolVersion, refusal: Refusal): IConnackPacket {
  if (version === 5) {
    return { cmd: 'connack', sessionPresent: false, reasonCode: REFUSAL_CODE_5[refusal] };
  }
  return { cmd: 'connack', sessionPresent: false, returnCode: REFUSAL_CODE_311[refusal] };
}

export interface AcceptOptions {
  maxIncomingPacketBytes: number;
  assignedClientId: string | undefined;
  /** Set when the server overrides the client's keep-alive (MQTT 5 Server Keep Alive). */
  serverKeepAlive: number | undefined;
}

/**
 * The keep-alive a session gets, as mosquitto's max_keepalive: none (0) or more than the
 * maximum becomes the maximum, so that no session may stay silent for ever.
 */
export function effectiveKeepAlive(requested: number, maxSeconds: number): number {
  return requested === 0 || requested > maxSeconds ? maxSeconds : requested;
}

/** No session state is ever kept, so sessionPresent is always false. */
export function acceptConnack(version: ProtocolVersion, opts: AcceptOptions): IConnackPacket {
  if (version !== 5) {
    return { cmd: 'connack', sessionPresent: false, returnCode: CONNACK_311.accepted };
  }
  return {
    cmd: 'connack',
    sessionPresent: false,
    reasonCode: RC5.success,
    properties: {
      maximumQoS: 1,
      retainAvailable: false,
      wildcardSubscriptionAvailable: true,
      sharedSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
      topicAliasMaximum: 0,
      maximumPacketSize: opts.maxIncomingPacketBytes,
      ...(opts.assignedClientId !== undefined
        ? { assignedClientIdentifier: opts.assignedClientId }
        : {}),
      ...(opts.serverKeepAlive !== undefined ? { serverKeepAlive: opts.serverKeepAlive } : {}),
    },
  };
}
