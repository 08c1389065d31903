import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import mqtt from 'mqtt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ensureBuilt, type RunningStation, startStationProcess } from '../support/cli-process';
import { stationClient } from '../support/station-client';

// Abuse from the site network: bare TCP connections that never send CONNECT, more of them than
// the station's process may open descriptors. Under that pressure every timer of the station
// (the 5 s LAN address poll reads os.networkInterfaces(), which needs a descriptor) meets
// EMFILE; the station must log it and go on, and serve a real device once the flood is over.

const NOFILE = 256;
const FLOOD = 600;
/** Longer than two LAN polls (5 s each) while descriptors are exhausted. */
const FLOOD_MS = 12_000;

/** Keeps `count` bare connections open until `ms` have passed (a closed one is re-opened). */
async function flood(port: number, count: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  const open = new Set<net.Socket>();
  let opened = 0;
  const openOne = (): void => {
    if (Date.now() >= until) return;
    const socket = net.connect(port, '127.0.0.1');
    opened += 1;
    open.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      open.delete(socket);
      setTimeout(openOne, 50);
    });
  };
  for (let i = 0; i < count; i++) openOne();
  await new Promise((resolve) => setTimeout(resolve, ms));
  for (const socket of open) socket.destroy();
  return opened;
}

describe('a station whose file descriptors run out', () => {
  let dir: string;
  let station: RunningStation | undefined;

  beforeAll(async () => {
    await ensureBuilt();
  }, 180_000);
  afterEach(async () => {
    station?.child.kill('SIGKILL');
    if (station) await station.exited;
    station = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('survives a flood of silent connections and then serves a device', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-nofile-'));
    station = await startStationProcess(
      ['station', '--data-dir', path.join(dir, 'data'), '--mqtt-port', '0', '--http-port', '0'],
      undefined,
      {},
      false,
      ['prlimit', `--nofile=${NOFILE}`, '--'],
    );
    const api = stationClient({ httpUrl: station.httpUrl, dataDir: path.join(dir, 'data') });
    const profile = await api.call('profiles.add', { name: 'CIM-168' });
    const device = await api.call('devices.add', { name: 'pump-1', profileId: profile.id });
    const port = Number(new URL(station.mqttUrl).port);

    let exit: unknown;
    void station.exited.then((e) => (exit = e));
    await flood(port, FLOOD, FLOOD_MS);
    expect(exit, `station exited during the flood: ${station.stderr()}`).toBeUndefined();
    // The poll did meet the exhausted descriptors, and said so instead of dying.
    expect(station.stderr()).toMatch(/reading the LAN addresses failed: .*EMFILE/);

    // Once the flood is over, a real device connects and is answered.
    const client = await new Promise<mqtt.MqttClient>((resolve, reject) => {
      const deadline = Date.now() + 20_000;
      const attempt = (): void => {
        mqtt
          .connectAsync(station?.mqttUrl ?? '', {
            username: device.accessToken,
            reconnectPeriod: 0,
            connectTimeout: 3000,
          })
          .then(resolve, (error: unknown) => {
            if (Date.now() > deadline) reject(error as Error);
            else setTimeout(attempt, 500);
          });
      };
      attempt();
    });
    try {
      await client.subscribeAsync('v1/devices/me/rpc/response/+', { qos: 1 });
      const answer = new Promise<string>((resolve) =>
        client.on('message', (_topic, payload) => resolve(payload.toString())),
      );
      await client.publishAsync(
        'v1/devices/me/rpc/request/1',
        '{"method":"getSessionLimits","params":{}}',
        { qos: 1 },
      );
      expect(JSON.parse(await answer)).toHaveProperty('maxPayloadSize');
    } finally {
      await client.endAsync(true);
    }
    expect(exit).toBeUndefined();
  }, 60_000);
});
