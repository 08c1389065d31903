import { describe, expect, it } from 'vitest';

import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture, type SyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';

/** A device renamed or relabelled on site, and what the cloud ends up with. */
describe('site edits of device names and labels, synced', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  async function localDevice(fx: SyncFixture, name: string) {
    const device = (await fx.call('devices.list', {})).find((d) => d.name === name);
    if (!device) throw new Error(`no device ${name} on the station`);
    return device;
  }

  /** A cloud with the given devices (token t-NAME), pulled to the station. */
  async function pulledSite(names: string[], packages = false) {
    const fx = await startFixture();
    const seeded = seedSite(fx.cloud.state, {
      profile: 'CIM-168',
      devices: names.map((name) => ({ name, token: `t-${name}` })),
      ...(packages
        ? { packages: [{ title: 'CIM-168', version: '1.0.1', data: firmwareBytes(3000, 1) }] }
        : {}),
    });
    await fx.login();
    await fx.call('cloud.pull', { binaries: 'NONE' });
    return { fx, seeded, cloud: fx.cloud.state };
  }

  async function rename(fx: SyncFixture, from: string, to: { name?: string; label?: string }) {
    return fx.call('devices.update', { id: (await localDevice(fx, from)).id, ...to });
  }

  it('an offline rename and relabel reach the cloud when it is back, on the same device, once', async () => {
    const { fx, seeded, cloud } = await pulledSite(['CIM-168-02-22-09', 'CIM-168-02-22-91']);
    const cloudId = seeded.devices.get('CIM-168-02-22-09')!.id;
    const versionBefore = cloud.device(cloudId).version;
    await fx.cloud.goOffline();
    await rename(fx, 'CIM-168-02-22-09', { name: 'CIM-168-02-22-90', label: 'Pump 3' });

    const offline = await fx.call('cloud.push', {});
    expect(offline.error).toMatch(/not reachable/);
    expect(await fx.call('cloud.pending', {})).toMatchObject([
      { kind: 'device.updated', label: 'name and label of CIM-168-02-22-90', status: 'PENDING' },
    ]);

    await fx.cloud.goOnline();
    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ error: null, conflicts: 0, failed: 0, remaining: 0 });
    expect(push.pushed.devices).toBe(1);
    expect(cloud.device(cloudId)).toMatchObject({
      name: 'CIM-168-02-22-90',
      label: 'Pump 3',
      version: versionBefore + 1,
    });
    expect(cloud.deviceByName('CIM-168-02-22-09')).toBeUndefined();
    expect(cloud.devices.size).toBe(2);
    expect(cloud.counters.deviceCreates.get('CIM-168-02-22-90')).toBeUndefined();
    expect(cloud.credentialsOf(cloudId).token).toBe('t-CIM-168-02-22-09');
    expect(await fx.call('cloud.pending', {})).toEqual([]);

    // Pulling again changes nothing: the station and the cloud agree.
    const pull = await fx.call('cloud.pull', { binaries: 'NONE' });
    expect(pull.devices).toMatchObject({ added: 0, updated: 0 });
    expect(await localDevice(fx, 'CIM-168-02-22-90')).toMatchObject({
      label: 'Pump 3',
      syncStatus: 'SYNCED',
    });
  });

  it('a save whose answer was lost is not applied twice: the replay finds the cloud has it', async () => {
    const { fx, seeded, cloud } = await pulledSite(['d']);
    const cloudId = seeded.devices.get('d')!.id;
    const versionBefore = cloud.device(cloudId).version;
    await rename(fx, 'd', { label: 'roof' });
    fx.cloud.faults.inject({
      kind: 'drop-response',
      match: (r) => r.method === 'POST' && r.path === '/api/device',
    });
    const push = await fx.call('cloud.push', {});
    expect(fx.cloud.faults.injected['drop-response']).toBe(1);
    expect(push).toMatchObject({ error: null, conflicts: 0, failed: 0 });
    expect(cloud.device(cloudId)).toMatchObject({ label: 'roof', version: versionBefore + 1 });
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  it('409, the cloud changed other fields meanwhile: ours goes over its latest copy, theirs are kept', async () => {
    const { fx, seeded, cloud } = await pulledSite(['d'], true);
    const fw = seeded.packages.get('CIM-168@1.0.1')!;
    const cloudId = seeded.devices.get('d')!.id;
    await rename(fx, 'd', { name: 'd-pump-3' });
    // Meanwhile in the console: the label and the firmware of the same device.
    cloud.editDevice(cloudId, { label: 'roof', firmwareId: fw.id });
    const edited = cloud.device(cloudId).version;

    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ error: null, conflicts: 0, failed: 0 });
    expect(push.pushed.devices).toBe(1);
    expect(cloud.device(cloudId)).toMatchObject({
      name: 'd-pump-3',
      label: 'roof',
      firmwareId: fw.id,
      version: edited + 1,
    });
    // The label only the cloud changed is the station's too.
    expect(await localDevice(fx, 'd-pump-3')).toMatchObject({ label: 'roof' });
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  it('409, the cloud renamed it too: a conflict with both sides, resolved either way', async () => {
    const { fx, seeded, cloud } = await pulledSite(['a', 'b', 'c']);
    const id = (name: string) => seeded.devices.get(name)!.id;
    await rename(fx, 'a', { name: 'a-site' });
    await rename(fx, 'b', { name: 'b-site' });
    await rename(fx, 'c', { name: 'c-site', label: 'pump' });
    for (const name of ['a', 'b', 'c']) cloud.editDevice(id(name), { name: `${name}-cloud` });

    const push = await fx.call('cloud.push', {});
    expect(push.conflicts).toBe(3);
    const conflicts = await fx.call('cloud.conflicts', {});
    const conflictOf = (name: string) => conflicts.find((c) => c.label.startsWith(`${name}-site`))!;
    expect(conflictOf('a')).toMatchObject({
      kind: 'DEVICE_EDIT',
      label: 'a-site (name and label)',
      message: 'a-site was renamed to a-cloud in the cloud and to a-site on site',
      local: { name: 'a-site', label: '' },
      cloud: { name: 'a-cloud', label: '' },
    });
    expect(conflictOf('a').choices.KEEP_MINE).toContain('the name a-site');
    expect(conflictOf('a').choices.TAKE_CLOUD).toContain('the name a-cloud');
    // Nothing was written over the cloud's renames.
    expect(cloud.device(id('a')).name).toBe('a-cloud');

    const keep = await fx.call('cloud.resolveConflict', {
      id: conflictOf('a').id,
      choice: 'KEEP_MINE',
    });
    expect(keep.resolved).toBe(true);
    const take = await fx.call('cloud.resolveConflict', {
      id: conflictOf('b').id,
      choice: 'TAKE_CLOUD',
    });
    expect(take).toMatchObject({
      resolved: true,
      message: "b-cloud now has the cloud's name and label",
    });
    // c: the name was changed on both sides, the label on site only: the site's label stays.
    await fx.call('cloud.resolveConflict', { id: conflictOf('c').id, choice: 'TAKE_CLOUD' });
    expect(await localDevice(fx, 'b-cloud')).toMatchObject({ label: '' });
    expect(await localDevice(fx, 'c-cloud')).toMatchObject({ label: 'pump' });
    const bVersion = cloud.device(id('b')).version;

    const after = await fx.call('cloud.push', {});
    expect(after).toMatchObject({ error: null, conflicts: 0, failed: 0 });
    expect(cloud.device(id('a')).name).toBe('a-site');
    expect(cloud.device(id('c'))).toMatchObject({ name: 'c-cloud', label: 'pump' });
    // Taking the cloud's sends nothing back.
    expect(cloud.device(id('b'))).toMatchObject({ name: 'b-cloud', version: bVersion });
    expect(await fx.call('cloud.conflicts', {})).toEqual([]);
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  it('400, the cloud has another device with the new name: refused with the reason, not retried', async () => {
    const { fx, seeded, cloud } = await pulledSite(['d']);
    const cloudId = seeded.devices.get('d')!.id;
    // Added in the console after the pull: the station does not know this name.
    seedSite(cloud, { profile: 'CIM-168', devices: [{ name: 'taken', token: 't-taken' }] });
    await rename(fx, 'd', { name: 'taken' });
    const version = cloud.device(cloudId).version;

    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ failed: 1, conflicts: 0 });
    const [failed] = await fx.call('cloud.pending', {});
    expect(failed).toMatchObject({ kind: 'device.updated', status: 'FAILED' });
    expect(failed?.error).toBe(
      "The cloud already has another device named taken: the rename of d was refused. Choose another name on the station (the new edit replaces this one), or rename the cloud's device and retry.",
    );
    // Not sent again by the next push.
    const again = await fx.call('cloud.push', {});
    expect(again.failed).toBe(1);
    expect(cloud.device(cloudId)).toMatchObject({ name: 'd', version });

    // Another name on the station replaces the refused edit.
    await rename(fx, 'taken', { name: 'd-2' });
    const fixed = await fx.call('cloud.push', {});
    expect(fixed).toMatchObject({ failed: 0, conflicts: 0 });
    expect(cloud.device(cloudId)).toMatchObject({ name: 'd-2', version: version + 1 });
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  it('a pull keeps a name and label edited on site while they wait to be pushed', async () => {
    const { fx, seeded, cloud } = await pulledSite(['d', 'e']);
    await rename(fx, 'd', { name: 'd-site', label: 'pump' });
    cloud.editDevice(seeded.devices.get('d')!.id, { name: 'd-cloud', label: 'roof' });
    // A device without a site edit follows the cloud, as before.
    cloud.editDevice(seeded.devices.get('e')!.id, { name: 'e-cloud', label: 'roof' });

    const pull = await fx.call('cloud.pull', { binaries: 'NONE' });
    expect(pull.warnings).toEqual([]);
    const names = (await fx.call('devices.list', {})).map((d) => [d.name, d.label]);
    expect(names.sort()).toEqual([
      ['d-site', 'pump'],
      ['e-cloud', 'roof'],
    ]);
    expect(await fx.call('cloud.pending', {})).toMatchObject([
      { kind: 'device.updated', status: 'PENDING' },
    ]);
    // The push still sees what the cloud changed since the edit: both renamed, a conflict.
    const push = await fx.call('cloud.push', {});
    expect(push.conflicts).toBe(1);
    expect((await fx.call('cloud.conflicts', {}))[0]).toMatchObject({
      kind: 'DEVICE_EDIT',
      local: { name: 'd-site', label: 'pump' },
      cloud: { name: 'd-cloud', label: 'roof' },
    });
  });

  it('a device added on site and renamed before its first push is created once, under its new name', async () => {
    const { fx, cloud } = await pulledSite([]);
    const profileId = (await fx.call('profiles.list', {})).find((p) => p.name === 'CIM-168')!.id;
    const added = await fx.call('devices.add', { name: 'tmp', profileId, accessToken: 'T-NEW' });
    await fx.call('devices.update', { id: added.id, name: 'CIM-168-NEW', label: 'pump 3' });
    await fx.call('devices.update', { id: added.id, label: 'pump 4' });

    const push = await fx.call('cloud.push', {});
    expect(push).toMatchObject({ error: null, conflicts: 0, failed: 0, remaining: 0 });
    expect(push.pushed.devices).toBe(1);
    const created = cloud.deviceByName('CIM-168-NEW');
    expect(created).toMatchObject({ label: 'pump 4', version: 1 });
    expect(cloud.deviceByName('tmp')).toBeUndefined();
    expect(cloud.counters.deviceCreates.get('CIM-168-NEW')).toBe(1);
    expect(cloud.credentialsOf(created!.id).token).toBe('T-NEW');
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  it('renamed twice before a push: one save, with the latest values', async () => {
    const { fx, seeded, cloud } = await pulledSite(['d']);
    const cloudId = seeded.devices.get('d')!.id;
    const version = cloud.device(cloudId).version;
    await rename(fx, 'd', { name: 'd-1', label: 'first' });
    await rename(fx, 'd-1', { name: 'd-2' });
    expect(await fx.call('cloud.pending', {})).toHaveLength(2);

    const push = await fx.call('cloud.push', {});
    expect(push.pushed).toMatchObject({ devices: 1, settled: 1 });
    expect(cloud.device(cloudId)).toMatchObject({
      name: 'd-2',
      label: 'first',
      version: version + 1,
    });
  });

  it('a device deleted in the cloud but renamed on site: re-created under its new name (keep mine)', async () => {
    const { fx, seeded, cloud } = await pulledSite(['d']);
    await rename(fx, 'd', { name: 'd-site' });
    cloud.deleteDevice(seeded.devices.get('d')!.id);

    const push = await fx.call('cloud.push', {});
    expect(push.conflicts).toBe(1);
    const [conflict] = await fx.call('cloud.conflicts', {});
    expect(conflict).toMatchObject({ kind: 'DEVICE_DELETED', label: 'd-site' });
    await fx.call('cloud.resolveConflict', { id: conflict!.id, choice: 'KEEP_MINE' });
    const after = await fx.call('cloud.push', {});
    expect(after).toMatchObject({ error: null, conflicts: 0, failed: 0 });
    const recreated = cloud.deviceByName('d-site');
    expect(recreated?.id).not.toBe(seeded.devices.get('d')!.id);
    expect(cloud.credentialsOf(recreated!.id).token).toBe('t-d');
  });
});
