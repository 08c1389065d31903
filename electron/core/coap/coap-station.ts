/**
 * The station's CoAP device API, assembled: the listener on the device-facing address and the
 * adapter onto the device service. station.ts starts it beside the MQTT endpoint.
 */
import { DEFAULT_COAP_PORT } from '../../../shared/protocol/coap-device-api';
import type { DeviceService } from '../device-api/device-service';
import type { ProtocolErrorLog } from '../device-api/protocol-error-log';
import {
  CoapDeviceApi,
  type CoapDeviceApiOptions,
  DEFAULT_COAP_DEVICE_API_OPTIONS,
} from './coap-device-api';
import { CoapEndpoint } from './coap-endpoint';
import type { CoapServerLimits, CoapServerStats } from './coap-server';

export interface CoapOptions {
  host: string;
  /** Default 5683; 0 picks a free port. */
  port?: number;
  limits?: Partial<CoapServerLimits>;
  api?: Partial<CoapDeviceApiOptions>;
}

export interface CoapStats extends CoapServerStats {
  cachedResponses: number;
  observations: number;
}

export interface CoapDeviceTransport {
  readonly endpoint: CoapEndpoint;
  address(): { host: string; port: number };
  /** The Station page's entry for it. */
  stats(): CoapStats;
  close(): Promise<void>;
}

export async function startCoap(
  service: DeviceService,
  errors: ProtocolErrorLog,
  options: CoapOptions,
): Promise<CoapDeviceTransport> {
  // The adapter answers through the listener and the listener hands requests to the adapter:
  // each refers to the other only once both exist (no request arrives before listen()).
  const endpoint: CoapEndpoint = new CoapEndpoint({
    host: options.host,
    port: options.port ?? DEFAULT_COAP_PORT,
    handler: (req, res) => api.handle(req, res),
    observable: (url) => api.observable(url),
    closing: () => api.endAll(),
    refused: (refusal) =>
      errors.record({
        kind: refusal.kind,
        message: refusal.message,
        deviceId: null,
        deviceName: null,
        clientId: null,
        remoteAddress: refusal.remoteAddress,
      }),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const api: CoapDeviceApi = new CoapDeviceApi(
    service,
    errors,
    (packet, peer) => endpoint.send(packet, peer),
    { ...DEFAULT_COAP_DEVICE_API_OPTIONS, ...options.api },
  );
  let last: { host: string; port: number };
  try {
    last = await endpoint.listen();
  } catch (error) {
    api.close();
    throw error;
  }
  const address = () => (last = endpoint.address() ?? last);
  return {
    endpoint,
    address: () => ({ ...address() }),
    stats: () => ({
      ...endpoint.stats,
      cachedResponses: endpoint.cachedResponses,
      observations: api.observationCount,
    }),
    close: async () => {
      await endpoint.close();
      api.close();
    },
  };
}
