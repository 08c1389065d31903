/**
 * The transports a simulated device can use. Adding one is an entry here and a DeviceLink
 * implementation; the device's behaviour (simulated-device.ts) stays the same for all.
 */
import { DEFAULT_COAP_PORT, MAX_COAP_BLOCK_SIZE } from '../../shared/protocol/coap-device-api';
import { CoapLink } from './coap-link';
import type { DeviceLink, LinkSettings } from './device-link';
import { HttpLink } from './http-link';
import { MqttLink } from './mqtt-link';

export interface LinkKind {
  open(settings: LinkSettings): Promise<DeviceLink>;
  /** URL schemes it takes, e.g. ['http:', 'https:']. */
  schemes: readonly string[];
  /** The station's address for it on this computer, by default. */
  defaultUrl: string;
  /** The chunk size devices ask for unless told (default 65536), and the largest allowed. */
  defaultChunkSize?: number;
  maxChunkSize?: number;
}

export const SIMULATED_TRANSPORTS = ['mqtt', 'http', 'coap'] as const;

export type SimulatedTransport = (typeof SIMULATED_TRANSPORTS)[number];

export const LINK_KINDS: Record<SimulatedTransport, LinkKind> = {
  mqtt: {
    open: (settings) => MqttLink.open(settings),
    schemes: ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'],
    defaultUrl: 'mqtt://127.0.0.1:1883',
  },
  http: {
    open: (settings) => HttpLink.open(settings),
    schemes: ['http:', 'https:'],
    defaultUrl: 'http://127.0.0.1:8080',
  },
  coap: {
    open: (settings) => CoapLink.open(settings),
    schemes: ['coap:'],
    defaultUrl: `coap://127.0.0.1:${DEFAULT_COAP_PORT}`,
    // One datagram per chunk: the coap client reassembling a larger chunk's blocks takes a
    // retransmitted block twice (coap 1.5.0), which a lossy link makes happen.
    defaultChunkSize: MAX_COAP_BLOCK_SIZE,
    maxChunkSize: MAX_COAP_BLOCK_SIZE,
  },
};
