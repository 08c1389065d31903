import { describe, expect, it } from 'vitest';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture, type SyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';

describe('conflicts between the site and the cloud', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  async function localDevice(fx: SyncFixture, name: string) {
    const device = (await fx.call('devices.list', {})).find((d) => d.name === name);
    if (!device) throw new Error(`no device ${name}`);
    return device;
  }

  it('a 409 on an assignment: the cloud changed the same slot; resolved keep-mine and take-cloud', async () => {
    const fx = await startFixture();
    const seeded = seedSite(fx.cloud.state, {
      profile: 'P',
      devices: ['d1', 'd2', 'd3'].map((name) => ({ name, token: `t-${name}` })),
      packages: [
        { title: 'FW', version: '1', data: firmwareBytes(4000, 1) },
        { title: 'FW', version: '2', data: firmwareBytes(4000, 2) },
      ],
    });
    const fw1 = seeded.packages.get('FW@1')!;
    const fw2 = seeded.packages.get('FW@2')!;
    await fx.login();
    await fx.call('cloud.pull', { packageIds: [fw1.id, fw2.id] });
    const local1 = (await fx.call('packages.list', {})).find((p) => p.version === '1')!;
    for (const name of ['d1', 'd2', 'd3']) {
      await fx.call('assignments.assign', {
        deviceId: (await localDevice(fx, name)).id,
        packageId: local1.id,
      });
    }
    // Meanwhile in the console: d1 and d2 get FW 2; d3 only gets a new label.
    const cloudConsole = fx.cloud.state;
    for (const name of ['d1', 'd2'])
      cloudConsole.editDevice(cloudConsole.deviceByName(name)!.id, { firmwareId: fw2.id });
    cloudConsole.editDevice(cloudConsole.deviceByName('d3')!.id, { label: 'roof' });

    const push = await fx.call('cloud.push', {});
    expect(push.conflicts).toBe(2);
    expect(push.pushed.assignments).toBe(1);
    // d3: only another field changed: ours is applied over it, their label kept.
    expect(cloudConsole.deviceByName('d3')).toMatchObject({ firmwareId: fw1.id, label: 'roof' });

    const conflicts = await fx.call('cloud.conflicts', {});
    expect(conflicts.map((c) => c.label).sort()).toEqual(['d1 (firmware)', 'd2 (firmware)']);
    const c1 = conflicts.find((c) => c.label === 'd1 (firmware)')!;
    expect(c1).toMatchObject({
      kind: 'ASSIGNMENT',
      local: { firmware: 'FW 1' },
      cloud: { firmware: 'FW 2' },
    });
    expect((await fx.call('cloud.status', {})).conflicts).toBe(2);

    const keep = await fx.call('cloud.resolveConflict', { id: c1.id, choice: 'KEEP_MINE' });
    expect(keep.resolved).toBe(true);
    const c2 = conflicts.find((c) => c.label === 'd2 (firmware)')!;
    const take = await fx.call('cloud.resolveConflict', { id: c2.id, choice: 'TAKE_CLOUD' });
    expect(take.resolved).toBe(true);
    const after = await fx.call('cloud.push', {});
    expect(after.conflicts).toBe(0);
    expect(after.pushed.assignments).toBe(1);
    expect(cloudConsole.deviceByName('d1')!.firmwareId).toBe(fw1.id);
    expect(cloudConsole.deviceByName('d2')!.firmwareId).toBe(fw2.id);
    const local2 = (await fx.call('packages.list', {})).find((p) => p.version === '2')!;
    expect((await localDevice(fx, 'd2')).firmware.assignedPackageId).toBe(local2.id);
    // Taking the cloud's pushes nothing back: FW 2 was applied once on d2, by the cloudConsole.
    expect(
      cloudConsole.counters.assignmentsApplied.get(
        `${cloudConsole.deviceByName('d2')!.id}|FIRMWARE|${fw2.id}`,
      ),
    ).toBe(1);
    expect(await fx.call('cloud.conflicts', {})).toEqual([]);
  });

  it('a package the cloud already has: same bytes adopted; other bytes a conflict, resolved both ways', async () => {
    const fx = await startFixture();
    seedSite(fx.cloud.state, { profile: 'P', devices: [{ name: 'd', token: 'td' }] });
    await fx.login();
    await fx.call('cloud.pull', {});
    const profileId = (await fx.call('profiles.list', {})).find((p) => p.name === 'P')!.id;
    const same = firmwareBytes(3000, 5);
    const mine6 = firmwareBytes(3000, 6);
    const mine7 = firmwareBytes(3000, 7);
    for (const [version, bytes] of [
      ['5', same],
      ['6', mine6],
      ['7', mine7],
    ] as const)
      await fx.site.packageFrom(bytes, { title: 'FW', version, profileId });
    const local6Id = (await fx.call('packages.list', {})).find((p) => p.version === '6')!.id;
    await fx.call('assignments.assign', {
      deviceId: (await localDevice(fx, 'd')).id,
      packageId: local6Id,
    });
    // The console got there first with 5 (same bytes), 6 and 7 (other bytes).
    seedSite(fx.cloud.state, {
      profile: 'P',
      devices: [],
      packages: [
        { title: 'FW', version: '5', data: same },
        { title: 'FW', version: '6', data: firmwareBytes(3000, 66) },
        { title: 'FW', version: '7', data: firmwareBytes(3000, 77) },
      ],
    });
    const push = await fx.call('cloud.push', {});
    expect(push.pushed.packages).toBe(1);
    expect(push.conflicts).toBe(2);
    expect(fx.cloud.state.counters.packageCreates.get('FW@5')).toBe(1);
    const conflicts = await fx.call('cloud.conflicts', {});
    const c6 = conflicts.find((c) => c.label === 'FW 6')!;
    const c7 = conflicts.find((c) => c.label === 'FW 7')!;
    expect(c6).toMatchObject({
      kind: 'PACKAGE',
      local: { checksum: checksumOfBuffer('SHA256', mine6) },
    });
    expect(c6.cloud.checksum).toBe(checksumOfBuffer('SHA256', firmwareBytes(3000, 66)));
    // The assignment of FW 6 waits for its package; nothing else was held up.
    const waiting = (await fx.call('cloud.pending', {})).find((i) => i.kind === 'assignment.set');
    expect(waiting).toMatchObject({
      status: 'WAITING',
      error: 'waiting for package FW 6 to reach the cloud',
    });

    expect(
      (await fx.call('cloud.resolveConflict', { id: c6.id, choice: 'TAKE_CLOUD' })).resolved,
    ).toBe(true);
    const local6 = (await fx.call('packages.list', {})).find((p) => p.version === '6')!;
    expect(local6.checksum).toBe(checksumOfBuffer('SHA256', firmwareBytes(3000, 66)));
    expect(local6.syncStatus).toBe('SYNCED');

    expect(
      (await fx.call('cloud.resolveConflict', { id: c7.id, choice: 'KEEP_MINE' })).resolved,
    ).toBe(true);
    const after = await fx.call('cloud.push', {});
    expect(after.pushed).toMatchObject({ packages: 1, assignments: 1 });
    const cloud6 = [...fx.cloud.state.packages.values()].find((p) => p.version === '6')!;
    expect(fx.cloud.state.deviceByName('d')!.firmwareId).toBe(cloud6.id);
    const cloud7 = [...fx.cloud.state.packages.values()].find((p) => p.version === '7')!;
    expect(cloud7.data?.equals(mine7)).toBe(true);
    expect((await fx.call('cloud.status', {})).pending.packages).toBe(0);
  });

  it('a device added on site whose name the cloud has: same token adopted, another token a conflict', async () => {
    const fx = await startFixture();
    seedSite(fx.cloud.state, { profile: 'P', devices: [] });
    await fx.login();
    await fx.call('cloud.pull', {});
    const profileId = (await fx.call('profiles.list', {})).find((p) => p.name === 'P')!.id;
    await fx.call('devices.add', { name: 'same', profileId, accessToken: 'T-SAME' });
    await fx.call('devices.add', { name: 'mine', profileId, accessToken: 'T-SITE-1' });
    await fx.call('devices.add', { name: 'theirs', profileId, accessToken: 'T-SITE-2' });
    seedSite(fx.cloud.state, {
      profile: 'P',
      devices: [
        { name: 'same', token: 'T-SAME' },
        { name: 'mine', token: 'T-CLOUD-1' },
        { name: 'theirs', token: 'T-CLOUD-2' },
      ],
    });
    const push = await fx.call('cloud.push', {});
    expect(push.pushed.devices).toBe(1);
    expect(push.conflicts).toBe(2);
    const conflicts = await fx.call('cloud.conflicts', {});
    const mine = conflicts.find((c) => c.label === 'mine')!;
    expect(mine).toMatchObject({
      kind: 'DEVICE',
      local: { accessToken: 'T-SITE-1' },
      cloud: { accessToken: 'T-CLOUD-1' },
    });
    await fx.call('cloud.resolveConflict', { id: mine.id, choice: 'KEEP_MINE' });
    await fx.call('cloud.resolveConflict', {
      id: conflicts.find((c) => c.label === 'theirs')!.id,
      choice: 'TAKE_CLOUD',
    });
    const state = fx.cloud.state;
    expect(state.credentialsOf(state.deviceByName('mine')!.id).token).toBe('T-SITE-1');
    expect((await localDevice(fx, 'theirs')).accessToken).toBe('T-CLOUD-2');
    expect(state.counters.deviceCreates.get('same')).toBe(1);
    expect((await fx.call('devices.list', {})).every((d) => d.syncStatus === 'SYNCED')).toBe(true);
    expect(await fx.call('cloud.conflicts', {})).toEqual([]);
  });

  it('a device deleted in the cloud but changed on site: re-created (keep mine) with its history', async () => {
    const fx = await startFixture();
    const seeded = seedSite(fx.cloud.state, {
      profile: 'P',
      devices: [{ name: 'd', token: 'td' }],
      packages: [{ title: 'FW', version: '1', data: firmwareBytes(2000, 1) }],
    });
    await fx.login();
    await fx.call('cloud.pull', { packageIds: [seeded.packages.get('FW@1')!.id] });
    const device = await localDevice(fx, 'd');
    const pkg = (await fx.call('packages.list', {}))[0]!;
    await fx.call('assignments.assign', { deviceId: device.id, packageId: pkg.id });
    const client = await fx.site.connect('td');
    await client.publishAsync(
      'v1/devices/me/telemetry',
      '{"ts":1700000000000,"values":{"current_fw_version":"0.9"}}',
      { qos: 1 },
    );
    fx.cloud.state.deleteDevice(seeded.devices.get('d')!.id);
    const push = await fx.call('cloud.push', {});
    expect(push.conflicts).toBe(1);
    const [conflict] = await fx.call('cloud.conflicts', {});
    expect(conflict?.kind).toBe('DEVICE_DELETED');
    await fx.call('cloud.resolveConflict', { id: conflict!.id, choice: 'KEEP_MINE' });
    const after = await fx.call('cloud.push', {});
    expect(after.error).toBeNull();
    const recreated = fx.cloud.state.deviceByName('d')!;
    expect(recreated.id).not.toBe(seeded.devices.get('d')!.id);
    expect(fx.cloud.state.credentialsOf(recreated.id).token).toBe('td');
    expect(recreated.firmwareId).toBe(seeded.packages.get('FW@1')!.id);
    expect(
      fx.cloud.state.telemetry.get(recreated.id)?.get('current_fw_version')?.get(1700000000000)
        ?.value,
    ).toBe('0.9');
  });
});
