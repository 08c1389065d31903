import { describe, expect, it } from 'vitest';

import { runSimulation } from '../../electron/simulator';
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { compareSiteWithCloud } from '../cloud-emulator/support/compare-site';
import { startSyncFixture, type SyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';
import { waitFor } from '../support/wait';

/** A device profile's firmware through the sync: pulled, served on site, pushed back. */
describe('profile firmware in sync', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  async function localProfile(fx: SyncFixture, name: string) {
    const profile = (await fx.call('profiles.list', {})).find((p) => p.name === name);
    if (!profile) throw new Error(`no profile ${name}`);
    return profile;
  }

  async function localPackage(fx: SyncFixture, version: string) {
    const pkg = (await fx.call('packages.list', {})).find((p) => p.version === version);
    if (!pkg) throw new Error(`no package ${version}`);
    return pkg;
  }

  it('an offline visit: the profile firmware pulled, applied over MQTT, a change pushed back', async () => {
    const fx = await startFixture();
    const tokens = ['PF-0', 'PF-1'];
    const seeded = seedSite(fx.cloud.state, {
      profile: 'CIM-168',
      devices: tokens.map((token, i) => ({ name: `CIM-168-${i}`, token })),
      packages: [
        { title: 'CIM-168', version: '1.0.0', data: firmwareBytes(9000, 7) },
        { title: 'CIM-168', version: '1.0.1', data: firmwareBytes(12_000, 8) },
      ],
    });
    const fw100 = seeded.packages.get('CIM-168@1.0.0')!;
    const fw101 = seeded.packages.get('CIM-168@1.0.1')!;
    // In the console the fleet is managed through its profile: the devices have no package.
    fx.cloud.state.editProfile(seeded.profile.id, { firmwareId: fw100.id });

    await fx.login();
    const pulled = await fx.call('cloud.pull', { packageIds: [fw101.id] });
    expect(pulled.error).toBeNull();
    const local100 = await localPackage(fx, '1.0.0');
    expect(local100.status).toBe('READY');
    expect((await localProfile(fx, 'CIM-168')).firmware?.packageId).toBe(local100.id);
    for (const device of await fx.call('devices.list', {}))
      expect(device.firmware).toMatchObject({
        assignedPackageId: local100.id,
        assignedFrom: 'PROFILE',
      });
    // Pulled, not changed on site: nothing to push back.
    expect((await fx.call('cloud.status', {})).pending.assignments).toBe(0);

    await fx.cloud.goOffline();
    const first = await runSimulation({
      url: fx.site.mqttUrl,
      tokens,
      chunkSize: 4096,
      packageTypes: ['FIRMWARE'],
      installed: { fwTitle: 'CIM-168', fwVersion: '0.9.0' },
      timeoutMs: 20_000,
    });
    expect(first.totals.updated).toBe(tokens.length);

    // On site, offline: the profile moves on to 1.0.1; its devices update over MQTT.
    const local101 = await localPackage(fx, '1.0.1');
    const assigned = await fx.call('profiles.assign', {
      profileId: (await localProfile(fx, 'CIM-168')).id,
      packageId: local101.id,
    });
    expect(assigned).toMatchObject({ changed: true, devices: tokens.length });
    const second = await runSimulation({
      url: fx.site.mqttUrl,
      tokens,
      chunkSize: 4096,
      packageTypes: ['FIRMWARE'],
      installed: { fwTitle: 'CIM-168', fwVersion: '1.0.0' },
      timeoutMs: 20_000,
    });
    expect(second.totals.updated).toBe(tokens.length);
    expect((await fx.call('cloud.status', {})).pending.assignments).toBe(1);

    const versionBefore = fx.cloud.state.profile(seeded.profile.id).version;
    await fx.cloud.goOnline();
    const push = await fx.call('cloud.push', {});
    expect(push.error).toBeNull();
    expect(push.conflicts + push.failed + push.remaining).toBe(0);
    expect(push.pushed.assignments).toBe(1);
    const cloudProfile = fx.cloud.state.profile(seeded.profile.id);
    expect(cloudProfile.firmwareId).toBe(fw101.id);
    expect(cloudProfile.version).toBe(versionBefore + 1);
    // The devices still have no package of their own in the cloud either.
    for (const device of fx.cloud.state.devices.values()) expect(device.firmwareId).toBeNull();
    expect(compareSiteWithCloud(fx.site.dataDir, fx.cloud.state).outboxLeft).toBe(0);
    const again = await fx.call('cloud.push', {});
    expect(again.pushed.assignments).toBe(0);
    expect(fx.cloud.state.profile(seeded.profile.id).version).toBe(versionBefore + 1);
  });

  it('a profile firmware pulled later reaches a connected device at once, through one job', async () => {
    const fx = await startFixture();
    const seeded = seedSite(fx.cloud.state, {
      profile: 'P',
      devices: [{ name: 'p1', token: 't-p1' }],
      packages: [{ title: 'FP', version: '1', data: firmwareBytes(3000, 3) }],
    });
    const fp1 = seeded.packages.get('FP@1')!;
    await fx.login();
    expect((await fx.call('cloud.pull', {})).error).toBeNull();
    const device = await fx.site.connect('t-p1');
    const pushed: Record<string, unknown>[] = [];
    device.on('message', (topic, payload) => {
      if (topic === 'v1/devices/me/attributes') pushed.push(JSON.parse(payload.toString()));
    });
    await device.subscribeAsync('v1/devices/me/attributes', { qos: 1 });

    fx.cloud.state.editProfile(seeded.profile.id, { firmwareId: fp1.id });
    const pulled = await fx.call('cloud.pull', {});
    expect(pulled.assignments.applied).toBe(1);
    const attributes = await waitFor(() => pushed.find((a) => 'fw_version' in a), {
      what: 'the shared attributes of the profile firmware',
    });
    expect(attributes).toMatchObject({ fw_title: 'FP', fw_version: '1', fw_size: 3000 });
    const jobs = await fx.call('jobs.list', {});
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ counts: { total: 1 } });
    // The cloud has it already: nothing goes back, and the cloud's own QUEUED stays its own.
    expect((await fx.call('cloud.status', {})).pending).toMatchObject({
      assignments: 0,
      telemetryPoints: 0,
    });
    await device.endAsync();
  });

  it('a 409 on a profile: the cloud changed its firmware too; resolved keep-mine and take-cloud', async () => {
    const fx = await startFixture();
    const a = seedSite(fx.cloud.state, {
      profile: 'A',
      devices: [{ name: 'a1', token: 't-a1' }],
      packages: ['1', '2', '3'].map((version) => ({
        title: 'FA',
        version,
        data: firmwareBytes(3000, Number(version)),
      })),
    });
    const b = seedSite(fx.cloud.state, {
      profile: 'B',
      devices: [{ name: 'b1', token: 't-b1' }],
      packages: ['1', '2', '3'].map((version) => ({
        title: 'FB',
        version,
        data: firmwareBytes(3000, 10 + Number(version)),
      })),
    });
    const cloudConsole = fx.cloud.state;
    cloudConsole.editProfile(a.profile.id, { firmwareId: a.packages.get('FA@1')!.id });
    cloudConsole.editProfile(b.profile.id, { firmwareId: b.packages.get('FB@1')!.id });
    await fx.login();
    await fx.call('cloud.pull', {
      packageIds: [a.packages.get('FA@2')!.id, b.packages.get('FB@2')!.id],
    });
    const packages = await fx.call('packages.list', {});
    const local = (title: string, version: string) =>
      packages.find((p) => p.title === title && p.version === version)!;
    await fx.call('profiles.assign', {
      profileId: (await localProfile(fx, 'A')).id,
      packageId: local('FA', '2').id,
    });
    await fx.call('profiles.assign', {
      profileId: (await localProfile(fx, 'B')).id,
      packageId: local('FB', '2').id,
    });
    // Meanwhile in the console both profiles get version 3 (not pulled on site).
    cloudConsole.editProfile(a.profile.id, { firmwareId: a.packages.get('FA@3')!.id });
    cloudConsole.editProfile(b.profile.id, { firmwareId: b.packages.get('FB@3')!.id });

    const push = await fx.call('cloud.push', {});
    expect(push.conflicts).toBe(2);
    const conflicts = await fx.call('cloud.conflicts', {});
    expect(conflicts.map((c) => c.label).sort()).toEqual([
      'device profile A (firmware)',
      'device profile B (firmware)',
    ]);
    const ca = conflicts.find((c) => c.label === 'device profile A (firmware)')!;
    expect(ca).toMatchObject({
      kind: 'PROFILE_ASSIGNMENT',
      local: { firmware: 'FA 2' },
      cloud: { firmware: 'FA 3' },
    });
    expect(ca.message).toMatch(/A: the firmware was changed in the cloud to FA 3/);

    const keep = await fx.call('cloud.resolveConflict', { id: ca.id, choice: 'KEEP_MINE' });
    expect(keep.resolved).toBe(true);
    const cb = conflicts.find((c) => c.label === 'device profile B (firmware)')!;
    const take = await fx.call('cloud.resolveConflict', { id: cb.id, choice: 'TAKE_CLOUD' });
    expect(take.resolved).toBe(true);

    const after = await fx.call('cloud.push', {});
    expect(after.conflicts).toBe(0);
    expect(after.pushed.assignments).toBe(1);
    expect(cloudConsole.profile(a.profile.id).firmwareId).toBe(a.packages.get('FA@2')!.id);
    expect(cloudConsole.profile(b.profile.id).firmwareId).toBe(b.packages.get('FB@3')!.id);
    // Taking the cloud's downloaded FB 3 and made it the site's profile firmware.
    const fb3 = (await fx.call('packages.list', {})).find(
      (p) => p.title === 'FB' && p.version === '3',
    );
    expect(fb3?.status).toBe('READY');
    expect((await localProfile(fx, 'B')).firmware?.packageId).toBe(fb3?.id);
    const b1 = (await fx.call('devices.list', {})).find((d) => d.name === 'b1')!;
    expect(b1.firmware).toMatchObject({ assignedPackageId: fb3?.id, assignedFrom: 'PROFILE' });
    expect(await fx.call('cloud.conflicts', {})).toEqual([]);
    expect((await fx.call('cloud.status', {})).pending.assignments).toBe(0);
  });
});
