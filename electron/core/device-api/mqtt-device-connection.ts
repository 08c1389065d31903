import { ATTRIBUTES_TOPIC } from '../../../shared/protocol/topics';
import type { MqttSession } from '../mqtt/mqtt-session';
import { RC5 } from '../mqtt/reason-codes';
import type { DeviceIdentity } from '../repositories/devices';
import type { DeviceCloseCause, DeviceConnection } from './device-connection';
import type { DeviceCaller } from './device-result';

export type DeviceSession = MqttSession<DeviceIdentity>;

const PROTOCOL_LABELS = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5' } as const;

/** What an MQTT 5 client is told when the station closes its session. */
const CLOSE_CODES: Record<DeviceCloseCause, number> = {
  'taken-over': RC5.sessionTakenOver,
  'rate-limited': RC5.messageRateTooHigh,
  other: RC5.unspecifiedError,
};

/** A device's MQTT session as a DeviceConnection; `caller` is what it calls the service as. */
export class MqttDeviceConnection implements DeviceConnection {
  readonly transport = 'mqtt';
  readonly caller: DeviceCaller & { clientId: string };

  constructor(readonly session: DeviceSession) {
    this.caller = {
      device: session.principal,
      transport: 'mqtt',
      remoteAddress: session.remoteAddress,
      clientId: session.clientId,
      connection: this,
    };
  }

  get id(): string {
    return this.session.id;
  }
  get device(): DeviceIdentity {
    return this.session.principal;
  }
  get remoteAddress(): string {
    return this.session.remoteAddress;
  }
  get clientId(): string {
    return this.session.clientId;
  }
  get connectedAt(): number {
    return this.session.connectedAt;
  }
  get protocolVersion(): 3 | 4 | 5 {
    return this.session.protocolVersion;
  }
  get protocolLabel(): string {
    return PROTOCOL_LABELS[this.session.protocolVersion];
  }

  wantsAttributeUpdates(): boolean {
    return this.session.isSubscribed(ATTRIBUTES_TOPIC);
  }

  pushAttributes(json: string): void {
    this.session.publish(ATTRIBUTES_TOPIC, json);
  }

  close(reason: string, cause: DeviceCloseCause = 'other'): void {
    this.session.close(reason, CLOSE_CODES[cause]);
  }
}
