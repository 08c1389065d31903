import type { DeviceTransport } from '../../../shared/api/entities';

const LABELS: Record<DeviceTransport, string> = { mqtt: 'MQTT', http: 'HTTP', coap: 'CoAP' };

/** How a device transport is written for the technician: MQTT, HTTP, CoAP. */
export function transportLabel(transport: DeviceTransport): string {
  return LABELS[transport];
}
