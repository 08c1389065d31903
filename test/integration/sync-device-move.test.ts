import { describe, expect, it } from 'vitest';

import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture, type SyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';

/**
 * A device added under the wrong device profile, moved to the right one on site: the cloud's
 * device gets the new deviceProfileId (and so the new profile's firmware), as ThingsBoard's
 * console would do it.
 */
describe('a device moved to another profile on site, synced', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  async function local(fx: SyncFixture, name: string) {
    const device = (await fx.call('devices.list', {})).find((d) => d.name === name);
    if (!device) throw new Error(`no device ${name} on the station`);
    return device;
  }

  async function localProfileId(fx: SyncFixture, name: string) {
    const profile = (await fx.call('profiles.list', {})).find((p) => p.name === name);
    if (!profile) throw new Error(`no profile ${name} on the station`);
    return profile.id;
  }

  /** Two cloud profiles: CIM-168 with devices d and e, CIM-200 with firmware FB 1 of its own. */
  async function pulledSite() {
    const fx = await startFixture();
    const cloud = fx.cloud.state;
    const a = seedSite(cloud, {
      profile: 'CIM-168',
      devices: [
        { name: 'd', token: 't-d' },
        { name: 'e', token: 't-e' },
      ],
    });
    const b = seedSite(cloud, {
      profile: 'CIM-200',
      devices: [],
      packages: [{ title: 'FB', version: '1', data: firmwareBytes(3000, 7) }],
    });
    const fb = b.packages.get('FB@1')!;
    cloud.editProfile(b.profile.id, { firmwareId: fb.id });
    await fx.login();
    await fx.call('cloud.pull', { binaries: 'NONE' });
    return { fx, cloud, a, b, fb };
  }

  async function move(fx: SyncFixture, name: string, profile: string) {
    return fx.call('devices.update', {
      id: (await local(fx, name)).id,
      profileId: await localProfileId(fx, profile),
    });
  }

  it("the cloud's device gets the new deviceProfileId and that profile's firmware, once", async () => {
    const { fx, cloud, a, b, fb } = await pulledSite();
    const cloudId = a.devices.get('d')!.id;
    const versionBefore = cloud.device(cloudId).version;
    await move(fx, 'd', 'CIM-200');
    expect(await fx.call('cloud.pending', {})).toMatchObject([
      { kind: 'device.updated', label: 'device profile of d', status: 'PENDING' },
    ]);

    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ error: null, conflicts: 0, failed: 0, remaining: 0 });
    expect(push.pushed.devices).toBe(1);
    expect(cloud.device(cloudId)).toMatchObject({
      name: 'd',
      profileId: b.profile.id,
      firmwareId: null,
      version: versionBefore + 1,
    });
    // ThingsBoard re-evaluates the device's firmware: the new profile's is queued for it.
    expect(cloud.points(cloudId)).toContainEqual(
      expect.objectContaining({ key: 'target_fw_title', value: fb.title }),
    );
    expect(cloud.device(a.devices.get('e')!.id).profileId).toBe(a.profile.id);
    expect(await fx.call('cloud.pending', {})).toEqual([]);

    const pull = await fx.call('cloud.pull', { binaries: 'NONE' });
    expect(pull.devices).toMatchObject({ added: 0, updated: 0 });
    expect(await local(fx, 'd')).toMatchObject({ profileName: 'CIM-200', syncStatus: 'SYNCED' });
  });

  it('a pull keeps the move while it waits to be pushed', async () => {
    const { fx, cloud, a } = await pulledSite();
    await fx.cloud.goOffline();
    await move(fx, 'd', 'CIM-200');
    await fx.cloud.goOnline();
    await fx.call('cloud.pull', { binaries: 'NONE' });
    expect(await local(fx, 'd')).toMatchObject({ profileName: 'CIM-200' });
    await fx.call('cloud.push', {});
    expect(cloud.device(a.devices.get('d')!.id).profileId).not.toBe(a.profile.id);
  });

  it('409, the cloud relabelled it meanwhile: the move goes over its latest copy, the label kept', async () => {
    const { fx, cloud, a, b } = await pulledSite();
    const cloudId = a.devices.get('d')!.id;
    await move(fx, 'd', 'CIM-200');
    cloud.editDevice(cloudId, { label: 'roof' });
    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ error: null, conflicts: 0, failed: 0 });
    expect(cloud.device(cloudId)).toMatchObject({ label: 'roof', profileId: b.profile.id });
    expect(await local(fx, 'd')).toMatchObject({ label: 'roof', profileName: 'CIM-200' });
  });

  it('409, the cloud moved it elsewhere too: a conflict; take the cloud’s, or keep mine', async () => {
    const { fx, cloud, a, b } = await pulledSite();
    const third = cloud.createProfile({ name: 'CIM-300' });
    await fx.call('cloud.pull', { binaries: 'NONE' });
    const id = (name: string) => a.devices.get(name)!.id;
    await move(fx, 'd', 'CIM-200');
    await move(fx, 'e', 'CIM-200');
    cloud.editDevice(id('d'), { profileId: third.id });
    cloud.editDevice(id('e'), { profileId: third.id });

    const push = await fx.call('cloud.push', {});
    expect(push.conflicts).toBe(2);
    const conflicts = await fx.call('cloud.conflicts', {});
    const of = (name: string) => conflicts.find((c) => c.entityId === name)!;
    const d = await local(fx, 'd');
    const e = await local(fx, 'e');
    expect(of(d.id)).toMatchObject({
      kind: 'DEVICE_EDIT',
      message: 'd was moved to device profile CIM-300 in the cloud and to CIM-200 on site',
      local: { 'device profile': 'CIM-200' },
      cloud: { 'device profile': 'CIM-300' },
    });
    expect(of(d.id).choices.TAKE_CLOUD).toContain('the device profile CIM-300');
    expect(cloud.device(id('d')).profileId).toBe(third.id);

    const take = await fx.call('cloud.resolveConflict', { id: of(d.id).id, choice: 'TAKE_CLOUD' });
    expect(take.resolved).toBe(true);
    expect(await local(fx, 'd')).toMatchObject({ profileName: 'CIM-300' });
    const keep = await fx.call('cloud.resolveConflict', { id: of(e.id).id, choice: 'KEEP_MINE' });
    expect(keep.resolved).toBe(true);
    const after = await fx.call('cloud.push', {});
    expect(after).toMatchObject({ error: null, conflicts: 0, failed: 0, remaining: 0 });
    expect(cloud.device(id('e')).profileId).toBe(b.profile.id);
    expect(cloud.device(id('d')).profileId).toBe(third.id);
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  it("a device the console moved: the pull moves it on the station, and its new profile's firmware is sent", async () => {
    const { fx, cloud, a, b } = await pulledSite();
    await fx.call('cloud.pull', { packageIds: [...b.packages.values()].map((p) => p.id) });
    cloud.editDevice(a.devices.get('d')!.id, { profileId: b.profile.id });
    const pull = await fx.call('cloud.pull', { binaries: 'NONE' });
    expect(pull.devices).toMatchObject({ updated: 1 });
    const d = await local(fx, 'd');
    expect(d).toMatchObject({
      profileName: 'CIM-200',
      firmware: { assignedFrom: 'PROFILE', assignedTitle: 'FB', assignedVersion: '1' },
    });
    // As after a move on site: a delivery of the profile's firmware, and nothing for the cloud.
    const executions = await fx.call('executions.list', { deviceId: d.id });
    expect(executions.map((e) => `${e.packageTitle} ${e.packageVersion}`)).toEqual(['FB 1']);
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  /** A profile firmware set on site, the profile deleted in the console: pushed, one conflict. */
  async function profileDeletedInCloud() {
    const fx = await startFixture();
    const cloud = fx.cloud.state;
    const site = seedSite(cloud, {
      profile: 'CIM-168',
      devices: [],
      packages: [{ title: 'FA', version: '1', data: firmwareBytes(3000, 3) }],
    });
    await fx.login();
    await fx.call('cloud.pull', { packageIds: [site.packages.get('FA@1')!.id] });
    const profileId = await localProfileId(fx, 'CIM-168');
    const pkg = (await fx.call('packages.list', {})).find((p) => p.title === 'FA')!;
    await fx.call('profiles.assign', { profileId, packageId: pkg.id });
    // Meanwhile in the console: the profile deleted (its packages with it, as in ThingsBoard).
    cloud.deleteProfile(site.profile.id);
    expect(cloud.packages.size).toBe(0);

    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ conflicts: 1, failed: 0 });
    const [conflict] = await fx.call('cloud.conflicts', {});
    expect(conflict).toMatchObject({
      kind: 'PROFILE_DELETED',
      entityId: profileId,
      message:
        'Device profile CIM-168 was deleted in the cloud, but its firmware was changed on site',
    });
    expect(conflict!.choices.KEEP_MINE).toMatch(/Create the device profile in the cloud again/);
    return { fx, cloud, conflict: conflict!, profileId };
  }

  it('a profile deleted in the cloud while its firmware changed on site: a conflict, not a failure', async () => {
    const { fx, conflict, profileId } = await profileDeletedInCloud();
    const take = await fx.call('cloud.resolveConflict', { id: conflict.id, choice: 'TAKE_CLOUD' });
    expect(take.resolved).toBe(true);
    expect(await fx.call('cloud.pending', {})).toEqual([]);
    // The station keeps the profile and its firmware for its devices.
    expect((await fx.call('profiles.list', {})).find((p) => p.id === profileId)).toMatchObject({
      firmware: { title: 'FA', version: '1' },
    });
  });

  it('… and keep mine: the profile, its package and its firmware reach the cloud again', async () => {
    const { fx, cloud, conflict } = await profileDeletedInCloud();
    const keep = await fx.call('cloud.resolveConflict', { id: conflict.id, choice: 'KEEP_MINE' });
    expect(keep.resolved).toBe(true);
    await fx.call('cloud.push', {});
    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ error: null, conflicts: 0, failed: 0, remaining: 0 });
    const again = cloud.profileByName('CIM-168')!;
    const pkg = [...cloud.packages.values()].find((p) => p.title === 'FA')!;
    expect(pkg).toMatchObject({ profileId: again.id });
    expect(again.firmwareId).toBe(pkg.id);
  });
});
