import type { DeviceTransport } from '../../../shared/api/entities';
import type { DeviceIdentity } from '../repositories/devices';

export type { DeviceTransport };

/** Why a connection is closed by the station, for transports that say so (MQTT 5 reason codes). */
export type DeviceCloseCause = 'taken-over' | 'rate-limited' | 'other';

/**
 * A device's live connection, of any transport: an MQTT session, an HTTP long poll, a CoAP
 * observation. The SessionRegistry holds these, so the Station page lists every transport and
 * a shared-attribute change reaches the device however it listens.
 */
export interface DeviceConnection {
  readonly id: string;
  readonly device: DeviceIdentity;
  readonly transport: DeviceTransport;
  readonly remoteAddress: string;
  /** The MQTT client id; on HTTP/CoAP a label such as "http-long-poll". */
  readonly clientId: string;
  readonly connectedAt: number;
  /** What the Station page shows: "MQTT 3.1.1", "MQTT 5", "HTTP/1.1", "CoAP". */
  readonly protocolLabel: string;
  /** The MQTT protocol level (3, 4 or 5); absent on other transports. */
  readonly protocolVersion?: 3 | 4 | 5;
  /** Whether it wants shared-attribute updates (MQTT subscription, HTTP long poll, CoAP observe). */
  wantsAttributeUpdates(): boolean;
  pushAttributes(json: string): void;
  close(reason: string, cause?: DeviceCloseCause): void;
}
