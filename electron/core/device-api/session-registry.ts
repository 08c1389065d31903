import type { DeviceMessageKind, DeviceSessionInfo } from '../../../shared/api/entities';
import { ATTRIBUTES_TOPIC } from '../../../shared/protocol/topics';
import type { MqttSession } from '../mqtt/mqtt-session';
import type { DeviceIdentity } from '../repositories/devices';

export type DeviceSession = MqttSession<DeviceIdentity>;

/** Which devices are connected, by which sessions. A device may hold several sessions. */
interface Traffic {
  lastMessageAt: number | null;
  lastMessageKind: DeviceMessageKind | null;
  messages: number;
  chunkRequests: number;
}

export class SessionRegistry {
  private readonly byDevice = new Map<string, Set<DeviceSession>>();
  /** What each session sent, for the Station page's list of who is connected. */
  private readonly traffic = new WeakMap<DeviceSession, Traffic>();

  /**
   * Registers a session and returns the device's older sessions with the same client id: MQTT
   * says the new connection takes over (a device that reconnects after a network blip leaves a
   * half-open one behind). Client ids are only compared within one device, since devices choose
   * them freely and two devices may well use the same.
   */
  add(session: DeviceSession): DeviceSession[] {
    const id = session.principal.id;
    const set = this.byDevice.get(id) ?? new Set<DeviceSession>();
    const replaced = [...set].filter((other) => other.clientId === session.clientId);
    set.add(session);
    this.byDevice.set(id, set);
    return replaced;
  }

  /** The device's sessions that a new one with this client id would not take over. */
  othersThan(deviceId: string, clientId: string): number {
    let count = 0;
    for (const session of this.byDevice.get(deviceId) ?? []) {
      if (session.clientId !== clientId) count++;
    }
    return count;
  }

  /** Returns true when this was the device's last session. */
  remove(session: DeviceSession): boolean {
    const id = session.principal.id;
    const set = this.byDevice.get(id);
    if (!set) return false;
    set.delete(session);
    if (set.size > 0) return false;
    this.byDevice.delete(id);
    return true;
  }

  /** Notes a message from the session (one map update: cheap enough for every chunk request). */
  noteMessage(session: DeviceSession, kind: DeviceMessageKind, at = Date.now()): void {
    let traffic = this.traffic.get(session);
    if (!traffic) {
      traffic = { lastMessageAt: null, lastMessageKind: null, messages: 0, chunkRequests: 0 };
      this.traffic.set(session, traffic);
    }
    traffic.lastMessageAt = at;
    traffic.lastMessageKind = kind;
    traffic.messages++;
    if (kind === 'chunkRequest') traffic.chunkRequests++;
  }

  /** Every connected session, longest connected first. */
  list(): DeviceSessionInfo[] {
    const out: DeviceSessionInfo[] = [];
    for (const set of this.byDevice.values())
      for (const session of set) {
        const traffic = this.traffic.get(session);
        out.push({
          id: session.id,
          deviceId: session.principal.id,
          deviceName: session.principal.name,
          clientId: session.clientId,
          remoteAddress: session.remoteAddress,
          protocolVersion: session.protocolVersion,
          connectedAt: session.connectedAt,
          lastMessageAt: traffic?.lastMessageAt ?? null,
          lastMessageKind: traffic?.lastMessageKind ?? null,
          messages: traffic?.messages ?? 0,
          chunkRequests: traffic?.chunkRequests ?? 0,
        });
      }
    return out.sort((a, b) => a.connectedAt - b.connectedAt);
  }

  isOnline = (deviceId: string): boolean => this.byDevice.has(deviceId);

  get connectedDevices(): number {
    return this.byDevice.size;
  }

  /**
   * Shared-attribute changes go to the device's own sessions that subscribed to them, and to
   * no one else: that is the whole of the isolation between devices.
   */
  pushSharedAttributes(deviceId: string, payload: Record<string, unknown>): void {
    const text = JSON.stringify(payload);
    for (const session of this.byDevice.get(deviceId) ?? []) {
      if (session.isSubscribed(ATTRIBUTES_TOPIC)) session.publish(ATTRIBUTES_TOPIC, text);
    }
  }
}
