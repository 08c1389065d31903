import crypto from 'node:crypto';

import mqtt, { type MqttClient } from 'mqtt';

import { runSimulation } from '../../../electron/simulator';
import type { Device, Package, Profile } from '../../../shared/api/entities';
import { uploadPackage } from '../../../shared/api/http-client';
import { type LocalStation, stationAuth } from '../../support/station-client';
import { waitFor } from '../../support/wait';
import { stationApi } from './api';

export interface Scene {
  profiles: Profile[];
  firmware: Package;
  software: Package;
  devices: Device[];
  /** Ends the devices still connected (the held simulation, the stalled downloader). */
  close(): Promise<void>;
}

const DEVICE_COUNT = 40;

/**
 * A site in the middle of a visit, made through the station's own API and real MQTT devices:
 * two profiles, a firmware and a software package, 40 devices; three updated and still online,
 * one failed, one stalled mid-download, two waiting; one refused connection (bad token).
 */
export async function buildScene(station: LocalStation, mqttUrl: string): Promise<Scene> {
  const api = stationApi(station);
  const httpUrl = station.httpUrl;
  const auth = stationAuth(station);
  const cim168 = await api.call('profiles.add', {
    name: 'CIM-168',
    description: 'Boiler controllers',
  });
  const cim200 = await api.call('profiles.add', { name: 'CIM-200', description: 'Heat pumps' });
  const firmware = await uploadPackage(
    httpUrl,
    {
      title: 'CIM-168',
      version: '1.0.1',
      profileId: cim168.id,
      type: 'FIRMWARE',
      fileName: 'cim168-1.0.1.bin',
    },
    new Uint8Array(crypto.randomBytes(1_200_000)),
    auth,
  );
  const software = await uploadPackage(
    httpUrl,
    {
      title: 'CIM-200-app',
      version: '2.3.0',
      profileId: cim200.id,
      type: 'SOFTWARE',
      checksumAlgorithm: 'MD5',
      fileName: 'cim200-app-2.3.0.bin',
    },
    new Uint8Array(crypto.randomBytes(450_000)),
    auth,
  );
  const devices: Device[] = [];
  for (let i = 0; i < DEVICE_COUNT; i++) {
    const profile = i % 4 === 3 ? cim200 : cim168;
    const serial = String(90 + i).padStart(2, '0');
    devices.push(
      await api.call('devices.add', {
        name: `${profile.name}-02-22-${serial}`,
        profileId: profile.id,
        label: i % 3 === 0 ? `Boiler room ${Math.floor(i / 3) + 1}` : '',
      }),
    );
  }
  const fwTargets = devices.filter((d) => d.profileId === cim168.id).slice(0, 7);
  for (const device of fwTargets)
    await api.call('assignments.assign', { deviceId: device.id, packageId: firmware.id });

  const [ok1, ok2, ok3, failing, stalled] = fwTargets as [Device, Device, Device, Device, Device];
  // Three devices update and stay online; one reports a failed verification.
  const hold = new AbortController();
  const updated = new Set<string>();
  const held = runSimulation({
    url: mqttUrl,
    tokens: [ok1.accessToken, ok2.accessToken, ok3.accessToken],
    packageTypes: ['FIRMWARE'],
    chunkSize: 65_536,
    holdMs: 10 * 60_000,
    timeoutMs: 10 * 60_000,
    signal: hold.signal,
    onDeviceState: (event) => {
      if (event.state === 'UPDATED') updated.add(event.token);
    },
  });
  await runSimulation({
    url: mqttUrl,
    tokens: [failing.accessToken],
    packageTypes: ['FIRMWARE'],
    failVerify: true,
    timeoutMs: 60_000,
  });
  // Bounds with room for a loaded machine: they wait for the devices, nothing is timed.
  await waitFor(() => updated.size === 3, {
    timeoutMs: 60_000,
    what: 'three simulated devices updated',
  });
  const downloader = await stallMidDownload(mqttUrl, stalled.accessToken, 5);
  await refusedConnection(mqttUrl);

  return {
    profiles: [cim168, cim200],
    firmware,
    software,
    devices: await api.call('devices.list', {}),
    async close() {
      await downloader.endAsync(true).catch(() => undefined);
      hold.abort();
      await held.catch(() => undefined);
    },
  };
}

/** A device that starts downloading, takes `chunks` chunks of 64 KiB and then goes quiet. */
export async function stallMidDownload(
  mqttUrl: string,
  token: string,
  chunks: number,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(mqttUrl, {
    username: token,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
  await client.publishAsync(
    'v1/devices/me/telemetry',
    '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0","fw_state":"DOWNLOADING"}',
    { qos: 1 },
  );
  await client.subscribeAsync('v2/fw/response/+/chunk/+', { qos: 1 });
  for (let index = 0; index < chunks; index++) {
    const answered = new Promise<void>((resolve) => {
      const onMessage = (topic: string) => {
        if (topic !== `v2/fw/response/1/chunk/${index}`) return;
        client.off('message', onMessage);
        resolve();
      };
      client.on('message', onMessage);
    });
    await client.publishAsync(`v2/fw/request/1/chunk/${index}`, '65536', { qos: 1 });
    await withTimeout(answered, 5_000, `chunk ${index}`);
  }
  return client;
}

/** A connection with an unknown token: the station refuses it and logs a protocol error. */
async function refusedConnection(mqttUrl: string): Promise<void> {
  const client = mqtt.connect(mqttUrl, {
    username: 'not-a-device-token',
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
  await new Promise<void>((resolve) => {
    client.once('error', () => resolve());
    client.once('close', () => resolve());
  });
  await client.endAsync(true).catch(() => undefined);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
