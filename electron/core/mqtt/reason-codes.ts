/**
 * The MQTT return/reason codes this endpoint sends. Named here so the session code reads as the
 * spec does (MQTT 3.1.1 §3.2.2.3, MQTT 5 §2.4).
 */

/** CONNACK return codes of MQTT 3.1 and 3.1.1. */
export const CONNACK_311 = {
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;

/** MQTT 5 reason codes used in CONNACK, PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT. */
export const RC5 = {
  success: 0x00,
  noSubscriptionExisted: 0x11,
  unspecifiedError: 0x80,
  malformedPacket: 0x81,
  protocolError: 0x82,
  implementationSpecificError: 0x83,
  clientIdentifierNotValid: 0x85,
  badUsernameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverShuttingDown: 0x8b,
  badAuthenticationMethod: 0x8c,
  sessionTakenOver: 0x8e,
  keepAliveTimeout: 0x8d,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetIdentifierNotFound: 0x92,
  topicAliasInvalid: 0x94,
  packetTooLarge: 0x95,
  quotaExceeded: 0x97,
  messageRateTooHigh: 0x96,
  administrativeAction: 0x98,
  payloadFormatInvalid: 0x99,
  subscriptionIdentifiersNotSupported: 0xa1,
} as const;

/** SUBACK failure of MQTT 3.1.1 (one code for every refusal). */
export const SUBACK_FAILURE_311 = 0x80;

/**
 * Reason codes the spec allows in PUBACK/PUBREC (MQTT 5 §3.4.2.1). A handler returning anything
 * else would make a conforming client drop the connection as malformed, so it is mapped to 0x80.
 */
const PUBACK_CODES: ReadonlySet<number> = new Set([
  0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99,
]);

export function isValidPubackReasonCode(code: number): boolean {
  return PUBACK_CODES.has(code);
}

/** MQTT 5: codes below 0x80 mean success (§2.4). */
export function isFailureReasonCode(code: number): boolean {
  return code >= 0x80;
}
