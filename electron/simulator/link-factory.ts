/**
 * The transports a simulated device can use. Adding one is an entry here and a DeviceLink
 * implementation; the device's behaviour (simulated-device.ts) stays the same for all.
 */
import type { DeviceLink, LinkSettings } from './device-link';
import { HttpLink } from './http-link';
import { MqttLink } from './mqtt-link';

export interface LinkKind {
  open(settings: LinkSettings): Promise<DeviceLink>;
  /** URL schemes it takes, e.g. ['http:', 'https:']. */
  schemes: readonly string[];
  /** The station's address for it on this computer, by default. */
  defaultUrl: string;
}

export const SIMULATED_TRANSPORTS = ['mqtt', 'http'] as const;

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
};
