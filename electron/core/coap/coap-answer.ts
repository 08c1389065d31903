/**
 * How the CoAP adapter answers: a code, with a short diagnostic text for a refusal (RFC 7252
 * §5.5.2), each DeviceService refusal mapped to its CoAP code.
 */
import { OutgoingMessage } from 'coap';

import type { DeviceRefusal } from '../device-api/device-service';
import { type CoapResponse, sendResponse } from './coap-server';

/** The response code of each refusal (ThingsBoard's where it has one). */
const REFUSAL_CODES: Record<DeviceRefusal, string> = {
  'bad-request': '4.00',
  'too-large': '4.13',
  'rate-limited': '4.29',
  'not-found': '4.04',
  mismatch: '4.00',
  unavailable: '5.00',
  internal: '5.00',
};

/** Diagnostic payloads stay short: one datagram, read on a console. */
const MAX_DIAGNOSTIC_CHARS = 160;

/**
 * A response with no body, or a diagnostic text for a refusal. A notification stream that
 * has sent nothing yet answers as a plain response (no Observe), which is how a server turns
 * an observation down (RFC 7641 §4.1); it carries no diagnostic text.
 */
export function answer(res: CoapResponse, code: string, diagnostic?: string): void {
  const text =
    diagnostic && res instanceof OutgoingMessage
      ? Buffer.from(diagnostic.slice(0, MAX_DIAGNOSTIC_CHARS))
      : undefined;
  sendResponse(res, code, text);
}

/** Answers a refusal the device service made (and already recorded). */
export function answerRefusal(
  res: CoapResponse,
  refused: { refusal: DeviceRefusal; message: string },
): void {
  answer(res, REFUSAL_CODES[refused.refusal] ?? '5.00', refused.message);
}
