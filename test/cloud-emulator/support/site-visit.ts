import { runSimulation } from '../../../electron/simulator';
import type { Device, Package } from '../../../shared/api/entities';
import { firmwareBytes, seedSite } from '../seed';
import type { SyncFixture } from './sync-fixture';

/**
 * The scenario up to "come back online": a site in the cloud is pulled, the uplink
 * goes, and on site the technician adds a package and a device, assigns the package to every
 * device, and the (simulated) devices update; devices also record some telemetry history.
 */
export interface SiteVisit {
  pkg: Package;
  devices: Device[];
  tokens: string[];
  firmware: Buffer;
}

export interface SiteVisitOptions {
  devices?: number;
  /** Extra telemetry points per device, with their own (older) timestamps. */
  historyPoints?: number;
  firmwareBytes?: number;
}

export async function seedAndPull(fx: SyncFixture, count: number): Promise<string[]> {
  const tokens = Array.from({ length: count }, (_, i) => `SITE-TOKEN-${i}`);
  seedSite(fx.cloud.state, {
    profile: 'CIM-168',
    devices: tokens.map((token, i) => ({ name: `CIM-168-${String(i).padStart(2, '0')}`, token })),
    packages: [{ title: 'CIM-168', version: '1.0.0', data: firmwareBytes(3000, 100) }],
  });
  await fx.login();
  const pulled = await fx.call('cloud.pull', {});
  if (pulled.error) throw new Error(`pull failed: ${pulled.error}`);
  return tokens;
}

export async function workOffline(
  fx: SyncFixture,
  tokens: readonly string[],
  options: SiteVisitOptions = {},
): Promise<SiteVisit> {
  const profile = (await fx.call('profiles.list', {})).find((p) => p.name === 'CIM-168');
  if (!profile) throw new Error('the pulled profile is missing');
  const firmware = firmwareBytes(options.firmwareBytes ?? 40_000, 101);
  const pkg = await fx.site.packageFrom(firmware, {
    title: 'CIM-168',
    version: '1.0.1',
    profileId: profile.id,
  });
  const added = await fx.call('devices.add', {
    name: 'CIM-168-NEW',
    profileId: profile.id,
    accessToken: 'SITE-TOKEN-NEW',
  });
  const allTokens = [...tokens, added.accessToken];
  const devices = await fx.call('devices.list', {});
  for (const device of devices)
    await fx.call('assignments.assign', { deviceId: device.id, packageId: pkg.id });
  const simulation = await runSimulation({
    url: fx.site.mqttUrl,
    tokens: allTokens,
    chunkSize: 8192,
    packageTypes: ['FIRMWARE'],
    installed: { fwTitle: 'CIM-168', fwVersion: '1.0.0' },
    timeoutMs: 20_000,
  });
  if (simulation.totals.updated !== allTokens.length)
    throw new Error(`only ${simulation.totals.updated} of ${allTokens.length} devices updated`);
  const points = options.historyPoints ?? 0;
  if (points > 0) {
    const base = Date.now() - 3_600_000;
    for (const token of allTokens) {
      const client = await fx.site.connect(token);
      const history = Array.from({ length: points }, (_, i) => ({
        ts: base + i * 1000,
        values: { temperature: 20 + (i % 7), rssi: -60 - (i % 5) },
      }));
      await client.publishAsync('v1/devices/me/telemetry', JSON.stringify(history), { qos: 1 });
      await client.endAsync();
    }
  }
  return { pkg, devices: await fx.call('devices.list', {}), tokens: allTokens, firmware };
}

/** Pushes until nothing is left (or `maxRounds` pushes); returns how many pushes it took. */
export async function pushUntilDone(fx: SyncFixture, maxRounds: number): Promise<number> {
  for (let round = 1; round <= maxRounds; round += 1) {
    const summary = await fx.call('cloud.push', {});
    const status = await fx.call('cloud.status', {});
    const left = Object.values(status.pending).reduce((a, b) => a + b, 0);
    if (!summary.error && left === 0) return round;
  }
  throw new Error(
    `Still pending after ${maxRounds} pushes: ${JSON.stringify((await fx.call('cloud.status', {})).pending)}`,
  );
}
