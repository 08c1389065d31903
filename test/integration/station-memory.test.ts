import crypto from 'node:crypto';
import { Session } from 'node:inspector/promises';

import { afterEach, describe, expect, it } from 'vitest';

import { MqttSession } from '../../electron/core/mqtt/mqtt-session';
import { PacketSocket } from '../../electron/core/mqtt/packet-socket';
import { runSimulation } from '../../electron/simulator';
import { parseArgs } from '../../shared/api/validate';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { waitFor } from '../support/wait';

/**
 * Live instances of a class in this process's heap, counted by V8 itself (the inspector's
 * queryObjects, which collects garbage first): what the station still holds, not an RSS guess.
 */
async function liveInstances(prototype: object): Promise<number> {
  const session = new Session();
  session.connect();
  try {
    const key = `__probe_${crypto.randomUUID().replace(/-/g, '')}`;
    (globalThis as Record<string, unknown>)[key] = prototype;
    const { result } = await session.post('Runtime.evaluate', { expression: `globalThis.${key}` });
    delete (globalThis as Record<string, unknown>)[key];
    const { objects } = await session.post('Runtime.queryObjects', {
      prototypeObjectId: result.objectId ?? '',
    });
    const { result: count } = await session.post('Runtime.callFunctionOn', {
      objectId: objects.objectId ?? '',
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    });
    return count.value as number;
  } finally {
    session.disconnect();
  }
}

/**
 * Devices come and go all day. Once they have gone, nothing kept for them (sessions, sockets,
 * registry entries) may stay.
 */
describe('what the station keeps per device', () => {
  let fx: StationFixture;
  afterEach(async () => {
    await fx.close();
  });

  it('holds no session or socket once every device has gone, after drops and jobs', async () => {
    fx = await startStationFixture();
    const profileId = (await fx.profile('CIM-168')).id;
    const tokens: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const device = await fx.device(`mem-${i}`, profileId, `mem-token-${i}`);
      tokens.push(device.accessToken);
      ids.push(device.id);
    }
    const { events } = fx.station;
    const ui = events.subscribe(() => undefined);
    for (const version of ['1.0.1', '1.0.2']) {
      const pkg = await fx.packageFrom(crypto.randomBytes(64 * 1024), { profileId, version });
      await fx.station.api['jobs.create'](
        parseArgs('jobs.create', {
          packageId: pkg.id,
          deviceIds: ids,
          policy: { concurrency: 10, retries: 0 },
        }),
      );
      // Every device drops (no DISCONNECT) in the middle of its download and comes back.
      const summary = await runSimulation({
        url: fx.mqttUrl,
        tokens,
        chunkSize: 8 * 1024,
        dropAtChunk: 3,
        packageTypes: ['FIRMWARE'],
        installed: { fwVersion: version === '1.0.1' ? '1.0.0' : '1.0.1' },
        timeoutMs: 60_000,
      });
      expect(summary.totals.updated).toBe(20);
    }
    // The count sees a session while one is there (the probe is no constant 0).
    const client = await fx.connect(tokens[0] ?? '');
    expect(await liveInstances(MqttSession.prototype)).toBeGreaterThanOrEqual(1);
    await client.endAsync(true);
    ui();
    await waitFor(async () => (await fx.station.api['station.status']({})).sessions === 0, {
      timeoutMs: 5000,
    });
    expect((await fx.station.api['station.status']({})).connectedDevices).toBe(0);
    expect(await liveInstances(MqttSession.prototype)).toBe(0);
    expect(await liveInstances(PacketSocket.prototype)).toBe(0);
  }, 120_000);
});
