/**
 * The resources of ThingsBoard's CoAP device API, read from a request's Uri-Path segments.
 * ThingsBoard joins the Uri-Path options and splits them again on '/', so a device sending the
 * whole path in one option is understood too; node-coap's `url` does the same.
 */
import type { OtaPackageType } from '../../../shared/protocol/ota-keys';
import { truncate } from '../../../shared/text/truncate';

export type CoapFeature = 'telemetry' | 'attributes' | 'rpc';

export type CoapRoute =
  /** /api/v1/{token}/{feature}[/{requestId}] */
  | { kind: 'device'; token: string; feature: CoapFeature; requestId: string | undefined }
  /**
   * /fw/{token} and /sw/{token} as ThingsBoard serves them, and /api/v1/{token}/firmware and
   * /software, the paths ThingsBoard documents for CoAP but answers 4.00 to.
   */
  | { kind: 'ota'; token: string; type: OtaPackageType }
  /** A feature ThingsBoard knows that the station does not offer (claim, provision). */
  | { kind: 'unsupported'; feature: string }
  /** /api/v1/{token}/{something else}, or no feature: ThingsBoard's 4.00. */
  | { kind: 'bad-feature'; feature: string }
  /** /.well-known/core (RFC 6690), which Californium answers for ThingsBoard too. */
  | { kind: 'discovery' }
  /** No token where one belongs: ThingsBoard's 4.01. */
  | { kind: 'no-token' }
  | { kind: 'not-found' };

const FEATURES: Record<string, CoapFeature> = {
  telemetry: 'telemetry',
  attributes: 'attributes',
  rpc: 'rpc',
};
const OTA_FEATURES: Record<string, OtaPackageType> = {
  firmware: 'FIRMWARE',
  software: 'SOFTWARE',
};

/** `url` is node-coap's request url: '/' + the Uri-Path options joined by '/', then '?query'. */
export function parseCoapRoute(url: string): CoapRoute {
  const path = url.split('?', 1)[0] ?? '';
  const segments = path.split('/').filter((segment) => segment.length > 0);
  const [first, second, third, fourth, fifth, ...rest] = segments;
  if (first === '.well-known' && second === 'core' && third === undefined) {
    return { kind: 'discovery' };
  }
  if (first === 'fw' || first === 'sw') {
    // ThingsBoard: exactly /fw/{token}; anything else there is an authorisation failure.
    if (second === undefined || third !== undefined) return { kind: 'no-token' };
    return { kind: 'ota', token: second, type: first === 'fw' ? 'FIRMWARE' : 'SOFTWARE' };
  }
  if (first !== 'api' || second !== 'v1') return { kind: 'not-found' };
  if (third === undefined) return { kind: 'no-token' };
  if (third.toLowerCase() === 'provision' && fourth === undefined) {
    return { kind: 'unsupported', feature: 'provision' };
  }
  if (fourth === undefined) return { kind: 'bad-feature', feature: '' };
  const name = fourth.toLowerCase();
  const otaType = OTA_FEATURES[name];
  if (otaType && fifth === undefined) return { kind: 'ota', token: third, type: otaType };
  if (name === 'claim') return { kind: 'unsupported', feature: 'claim' };
  const feature = FEATURES[name];
  if (!feature || rest.length > 0) return { kind: 'bad-feature', feature: truncate(fourth, 40) };
  return { kind: 'device', token: third, feature, requestId: fifth };
}

/**
 * A request's Uri-Query options as name -> value (the first of a repeated name). CoAP carries
 * each query parameter as its own option, already unescaped; no '&' splitting needed.
 */
export function queryParameters(queries: readonly Buffer[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const query of queries) {
    const text = query.toString('utf8');
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    if (!params.has(name)) params.set(name, eq < 0 ? '' : text.slice(eq + 1));
  }
  return params;
}
