import type { DeviceMessageKind, DeviceSessionInfo } from '../../../shared/api/entities';
import type { DeviceConnection } from './device-connection';

interface Traffic {
  lastMessageAt: number | null;
  lastMessageKind: DeviceMessageKind | null;
  messages: number;
  chunkRequests: number;
}

/**
 * Which devices are connected, by which connections (of any transport). A device may hold
 * several.
 */
export class SessionRegistry {
  private readonly byDevice = new Map<string, Set<DeviceConnection>>();
  /** What each connection sent, for the Station page's list of who is connected. */
  private readonly traffic = new WeakMap<DeviceConnection, Traffic>();

  /**
   * Registers a connection and returns the device's older connections with the same client id: MQTT
   * says the new connection takes over (a device that reconnects after a network blip leaves a
   * half-open one behind). Client ids are only compared within one device, since devices choose
   * them freely and two devices may well use the same.
   */
  add(connection: DeviceConnection): DeviceConnection[] {
    const id = connection.device.id;
    const set = this.byDevice.get(id) ?? new Set<DeviceConnection>();
    const replaced = [...set].filter((other) => other.clientId === connection.clientId);
    set.add(connection);
    this.byDevice.set(id, set);
    return replaced;
  }

  /** The device's connections that a new one with this client id would not take over. */
  othersThan(deviceId: string, clientId: string): number {
    let count = 0;
    for (const connection of this.byDevice.get(deviceId) ?? []) {
      if (connection.clientId !== clientId) count++;
    }
    return count;
  }

  /** Returns true when this was the device's last connection. */
  remove(connection: DeviceConnection): boolean {
    const id = connection.device.id;
    const set = this.byDevice.get(id);
    if (!set) return false;
    set.delete(connection);
    if (set.size > 0) return false;
    this.byDevice.delete(id);
    return true;
  }

  /** Notes a message from the connection (one map update: cheap enough for every chunk request). */
  noteMessage(connection: DeviceConnection, kind: DeviceMessageKind, at = Date.now()): void {
    let traffic = this.traffic.get(connection);
    if (!traffic) {
      traffic = { lastMessageAt: null, lastMessageKind: null, messages: 0, chunkRequests: 0 };
      this.traffic.set(connection, traffic);
    }
    traffic.lastMessageAt = at;
    traffic.lastMessageKind = kind;
    traffic.messages++;
    if (kind === 'chunkRequest') traffic.chunkRequests++;
  }

  /** Every open connection, longest connected first. */
  list(): DeviceSessionInfo[] {
    const out: DeviceSessionInfo[] = [];
    for (const set of this.byDevice.values())
      for (const connection of set) {
        const traffic = this.traffic.get(connection);
        out.push({
          id: connection.id,
          deviceId: connection.device.id,
          deviceName: connection.device.name,
          clientId: connection.clientId,
          remoteAddress: connection.remoteAddress,
          transport: connection.transport,
          protocolVersion: connection.protocolVersion ?? null,
          protocolLabel: connection.protocolLabel,
          connectedAt: connection.connectedAt,
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
   * Shared-attribute changes go to the device's own connections that asked for them (an MQTT
   * subscription, a long poll, an observation), and to no one else: that is the whole of the
   * isolation between devices.
   */
  pushSharedAttributes(deviceId: string, payload: Record<string, unknown>): void {
    const text = JSON.stringify(payload);
    for (const connection of this.byDevice.get(deviceId) ?? []) {
      if (connection.wantsAttributeUpdates()) connection.pushAttributes(text);
    }
  }
}
