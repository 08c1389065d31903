import fs from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

import { startStation, type Station, type StationOptions } from '../../electron/core/station';
import type { Device, Package, Profile } from '../../shared/api/entities';
import type { PackageMetaInput } from '../../shared/api/operations';
import { PackageMeta } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';

export interface StationFixture {
  station: Station;
  dataDir: string;
  mqttUrl: string;
  profile(name?: string): Promise<Profile>;
  device(name: string, profileId: string, accessToken?: string): Promise<Device>;
  packageFrom(
    bytes: Buffer,
    meta: Partial<PackageMetaInput> & { profileId: string },
  ): Promise<Package>;
  connect(token: string, options?: IClientOptions): Promise<MqttClient>;
  close(): Promise<void>;
}

/** A real station on a temporary data folder and a free port on 127.0.0.1. */
export async function startStationFixture(
  options: Partial<StationOptions> = {},
): Promise<StationFixture> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-test-'));
  const station = await startStation({ mqttPort: 0, ...options, dataDir });
  const { port } = station.mqttAddress();
  const mqttUrl = `mqtt://127.0.0.1:${port}`;
  const clients: MqttClient[] = [];
  return {
    station,
    dataDir,
    mqttUrl,
    profile: (name = 'CIM-168') => station.api['profiles.add'](parseArgs('profiles.add', { name })),
    device: (name, profileId, accessToken) =>
      station.api['devices.add'](
        parseArgs('devices.add', { name, profileId, ...(accessToken ? { accessToken } : {}) }),
      ),
    packageFrom: (bytes, meta) =>
      station.importPackage(
        PackageMeta.parse({
          title: 'CIM-168',
          version: '1.0.1',
          type: 'FIRMWARE',
          fileName: 'fw.bin',
          ...meta,
        }),
        Readable.from([bytes]),
      ),
    connect: async (token, clientOptions = {}) => {
      const client = await mqtt.connectAsync(mqttUrl, {
        username: token,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...clientOptions,
      });
      // Without this, the client's Nagle holds each small request behind the delayed ACK of
      // its last PUBACK: 40 ms per chunk, which says nothing about the station.
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await station.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the next message on a topic matching `predicate` (rejects after timeoutMs). */
export function nextMessage(
  client: MqttClient,
  predicate: (topic: string) => boolean,
  timeoutMs = 5000,
): Promise<{ topic: string; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`No message matched within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer) => {
      if (!predicate(topic)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve({ topic, payload });
    };
    client.on('message', onMessage);
  });
}

/** Collects every message a client receives, for isolation checks. */
export function recordMessages(client: MqttClient): { topic: string; payload: Buffer }[] {
  const seen: { topic: string; payload: Buffer }[] = [];
  client.on('message', (topic, payload) => seen.push({ topic, payload }));
  return seen;
}
