/**
 * PUBLISH header encoding for the outbound hot path.
 *
 * mqtt-packet's writeToStream issues about six stream writes per PUBLISH and memoises every
 * distinct remaining length in a module-wide cache; generate() copies the payload into one
 * buffer. Chunk responses are up to 512 KiB, so instead the header (fixed header, topic, packet
 * id, empty v5 property block) is encoded into one small buffer and written next to the
 * untouched payload buffer: the socket hands both to writev without a copy in JavaScript.
 * Every other packet type goes through mqtt-packet.
 */

/** The largest Remaining Length a variable byte integer can carry (MQTT §1.5.5). */
export const MAX_REMAINING_LENGTH = 268_435_455;

export interface PublishHeaderFields {
  topic: string;
  payloadLength: number;
  qos: 0 | 1;
  /** Required (1..65535) when qos is 1, ignored otherwise. */
  messageId?: number;
  /** MQTT 5 adds a property-length byte (always 0: no properties are sent). */
  protocolVersion: 3 | 4 | 5;
}

function variableByteIntegerSize(value: number): number {
  if (value < 128) return 1;
  if (value < 16_384) return 2;
  if (value < 2_097_152) return 3;
  return 4;
}

function remainingLength(topicBytes: number, fields: PublishHeaderFields): number {
  return (
    2 +
    topicBytes +
    (fields.qos > 0 ? 2 : 0) +
    (fields.protocolVersion === 5 ? 1 : 0) +
    fields.payloadLength
  );
}

/** The whole packet's size on the wire, as compared with a client's Maximum Packet Size. */
export function publishPacketSize(fields: PublishHeaderFields): number {
  const remaining = remainingLength(Buffer.byteLength(fields.topic), fields);
  return 1 + variableByteIntegerSize(remaining) + remaining;
}

/** False when the Remaining Length would be over what MQTT can express (about 256 MB). */
export function publishFitsMqtt(fields: PublishHeaderFields): boolean {
  return remainingLength(Buffer.byteLength(fields.topic), fields) <= MAX_REMAINING_LENGTH;
}

/** Encodes everything of a PUBLISH that precedes the payload. Throws on values MQTT cannot carry. */
export function encodePublishHeader(fields: PublishHeaderFields): Buffer {
  const topicBytes = Buffer.byteLength(fields.topic);
  if (topicBytes === 0 || topicBytes > 0xffff) {
    throw new RangeError(`PUBLISH topic must be 1..65535 bytes, got ${topicBytes}`);
  }
  if (fields.qos > 0) {
    const id = fields.messageId;
    if (id === undefined || !Number.isInteger(id) || id < 1 || id > 0xffff) {
      throw new RangeError(`PUBLISH QoS 1 needs a packet id in 1..65535, got ${String(id)}`);
    }
  }
  const remaining = remainingLength(topicBytes, fields);
  if (remaining > MAX_REMAINING_LENGTH) {
    throw new RangeError(`PUBLISH of ${remaining} bytes exceeds the MQTT maximum`);
  }
  const headerLength = 1 + variableByteIntegerSize(remaining) + (remaining - fields.payloadLength);
  const buf = Buffer.allocUnsafe(headerLength);
  let offset = 0;
  buf[offset++] = 0x30 | (fields.qos << 1); // PUBLISH, DUP 0, RETAIN 0
  let rest = remaining;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    buf[offset++] = byte;
  } while (rest > 0);
  offset = buf.writeUInt16BE(topicBytes, offset);
  offset += buf.write(fields.topic, offset, 'utf8');
  if (fields.qos > 0) offset = buf.writeUInt16BE(fields.messageId ?? 0, offset);
  if (fields.protocolVersion === 5) buf[offset] = 0; // property length: none
  return buf;
}
