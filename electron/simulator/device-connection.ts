import type { Socket } from 'node:net';

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

import { ConnectionRefusedError } from './device-link';

export interface ConnectSettings {
  url: string;
  token: string;
  clientId: string;
  protocolVersion: 4 | 5;
  connectTimeoutMs: number;
}

export { ConnectionRefusedError };

const GRACEFUL_END_MS = 5_000;

/**
 * One MQTT connection of a simulated device. Reconnecting is the device's job (it must redo
 * Part I like a real device after a reboot), so MQTT.js's own reconnect is off and every
 * pending operation fails as soon as this connection closes instead of waiting forever.
 */
export class DeviceConnection {
  private open = true;
  private readonly closeHandlers: (() => void)[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('close', () => {
      if (!this.open) return;
      this.open = false;
      for (const handler of this.closeHandlers) handler();
    });
    // Without a listener an 'error' event would crash the process; 'close' follows it anyway.
    client.on('error', () => undefined);
  }

  static open(settings: ConnectSettings): Promise<DeviceConnection> {
    const options: IClientOptions = {
      username: settings.token,
      clientId: settings.clientId,
      protocolVersion: settings.protocolVersion,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: settings.connectTimeoutMs,
      keepalive: 60,
      resubscribe: false,
    };
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(settings.url, options);
      // A chunk request follows the PUBACK of the previous chunk: with Nagle on, it waits for
      // the server's delayed ACK (~40 ms) and downloads crawl.
      const socket = client.stream as Partial<Socket>;
      socket.setNoDelay?.(true);
      const settle = (error?: Error): void => {
        client.removeListener('connect', onConnect);
        client.removeListener('error', onError);
        client.removeListener('close', onClose);
        if (!error) {
          resolve(new DeviceConnection(client));
          return;
        }
        client.on('error', () => undefined);
        client.end(true);
        reject(error);
      };
      const onConnect = (): void => settle();
      const onError = (error: Error & { code?: unknown }): void =>
        settle(
          typeof error.code === 'number'
            ? new ConnectionRefusedError(`${error.message} (code ${error.code})`)
            : error,
        );
      const onClose = (): void => settle(new Error('Connection closed before CONNACK'));
      client.once('connect', onConnect);
      client.once('error', onError);
      client.once('close', onClose);
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  onMessage(handler: (topic: string, payload: Buffer) => void): void {
    this.client.on('message', handler);
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  /** Fire and forget, in order with every other publish of this connection. */
  send(topic: string, payload: string | Buffer, qos: 0 | 1): void {
    if (!this.open) return;
    // A lost connection is handled by the close handlers; the publish error adds nothing.
    this.client.publish(topic, payload, { qos }, () => undefined);
  }

  /** Resolves on SUBACK; rejects when the server refuses the filter or the connection closes. */
  subscribe(filter: string, qos: 0 | 1): Promise<void> {
    if (!this.open) return Promise.reject(new Error('Connection closed'));
    return new Promise((resolve, reject) => {
      const onClose = (): void => reject(new Error('Connection closed'));
      this.closeHandlers.push(onClose);
      this.client.subscribe(filter, { qos }, (error, granted) => {
        this.removeCloseHandler(onClose);
        const code = granted?.[0]?.qos;
        if (error) reject(error);
        else if (code === undefined || code >= 0x80) {
          reject(new Error(`Subscription to ${filter} refused (code ${String(code)})`));
        } else resolve();
      });
    });
  }

  /** Abrupt loss: no DISCONNECT, unsent data discarded, as when a device loses its network. */
  drop(): void {
    this.client.stream.destroy();
  }

  /** DISCONNECT after the in-flight publishes are acknowledged, bounded in time. */
  end(): Promise<void> {
    if (!this.open) {
      this.client.end(true);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.end(true);
        resolve();
      }, GRACEFUL_END_MS);
      this.client.end(false, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private removeCloseHandler(handler: () => void): void {
    const at = this.closeHandlers.indexOf(handler);
    if (at >= 0) this.closeHandlers.splice(at, 1);
  }
}
