import { describe, expect, it } from 'vitest';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';

describe('site pull from the cloud', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  it('brings profiles, devices with tokens, every page, assigned binaries verified, and assignments', async () => {
    const fx = await startFixture();
    const fw = firmwareBytes(100_000, 7);
    const other = firmwareBytes(5_000, 9);
    const devices = Array.from({ length: 8 }, (_, i) => ({
      name: `CIM-168-${i}`,
      token: `TOKEN-${i}`,
    }));
    seedSite(fx.cloud.state, {
      profile: 'CIM-168',
      devices,
      packages: [
        { title: 'CIM-168', version: '1.0.1', data: fw },
        { title: 'CIM-168', version: '0.9', data: other },
      ],
      firmware: { 'CIM-168-0': 'CIM-168@1.0.1', 'CIM-168-5': 'CIM-168@1.0.1' },
    });
    await fx.login();
    const progress: string[] = [];
    const unsubscribe = fx.site.station.events.subscribe((event) => {
      if (event.type === 'cloud.status' && event.payload.activity?.kind === 'PULL') {
        const a = event.payload.activity;
        progress.push(`${a.phase} ${a.done}/${a.total ?? '?'}`);
      }
    });
    const summary = await fx.call('cloud.pull', {});
    unsubscribe();
    // A progress bar can follow the pull: each phase reports how far it got, up to its end.
    expect(progress).toEqual(
      expect.arrayContaining(['device credentials 8/8', 'binaries 1/1', 'assignments 8/8']),
    );
    expect((await fx.call('cloud.status', {})).activity).toBeNull();
    expect(summary.error).toBeNull();
    expect(summary.devices.added).toBe(8);
    expect(summary.packages.listed).toBe(2);
    expect(summary.packages.downloaded).toBe(1);
    expect(summary.assignments.applied).toBe(2);

    const local = await fx.call('devices.list', {});
    expect(local.map((d) => d.name).sort()).toEqual(devices.map((d) => d.name).sort());
    for (const d of local) {
      expect(d.accessToken).toBe(`TOKEN-${d.name.split('-').at(-1)}`);
      expect(d.syncStatus).toBe('SYNCED');
    }
    const packages = await fx.call('packages.list', {});
    expect(packages).toHaveLength(1);
    expect(packages[0]?.checksum).toBe(checksumOfBuffer('SHA256', fw));
    const assigned = local
      .filter((d) => d.firmware.assignedPackageId === packages[0]?.id)
      .map((d) => d.name);
    expect(assigned.sort()).toEqual(['CIM-168-0', 'CIM-168-5']);
    // What was pulled is the cloud's already: nothing to push back.
    const status = await fx.call('cloud.status', {});
    expect(status.pending).toEqual({
      profiles: 0,
      devices: 0,
      packages: 0,
      assignments: 0,
      other: 0,
      telemetryPoints: 0,
    });
    // A device connecting on site gets the cloud's assignment.
    const client = await fx.site.connect('TOKEN-0');
    const response = new Promise<Buffer>((resolve) => client.on('message', (_t, p) => resolve(p)));
    await client.subscribeAsync('v1/devices/me/attributes/response/+');
    await client.publishAsync(
      'v1/devices/me/attributes/request/1',
      '{"sharedKeys":"fw_title,fw_version,fw_checksum"}',
    );
    expect(JSON.parse((await response).toString())).toEqual({
      shared: {
        fw_title: 'CIM-168',
        fw_version: '1.0.1',
        fw_checksum: checksumOfBuffer('SHA256', fw),
      },
    });
  });

  it('picks binaries for the chosen devices only, and of packages picked by id', async () => {
    const fx = await startFixture();
    const seeded = seedSite(fx.cloud.state, {
      profile: 'P',
      devices: [
        { name: 'a', token: 'ta' },
        { name: 'b', token: 'tb' },
      ],
      packages: [
        { title: 'FW', version: '1', data: firmwareBytes(1000, 1) },
        { title: 'FW', version: '2', data: firmwareBytes(1000, 2) },
        { title: 'FW', version: '3', data: firmwareBytes(1000, 3) },
      ],
      firmware: { a: 'FW@1', b: 'FW@2' },
    });
    await fx.login();
    const summary = await fx.call('cloud.pull', {
      deviceNames: ['a'],
      packageIds: [seeded.packages.get('FW@3')?.id ?? ''],
    });
    expect(summary.packages.downloaded).toBe(2);
    expect((await fx.call('packages.list', {})).map((p) => p.version).sort()).toEqual(['1', '3']);
    const cloudPackages = await fx.call('cloud.packages', {});
    expect(cloudPackages.map((p) => [p.version, p.localPackageId !== null])).toEqual([
      ['1', true],
      ['2', false],
      ['3', true],
    ]);
    // b's package is not cached: its assignment can't be served and is reported, not faked.
    expect(summary.assignments.skipped).toBe(1);
    expect(summary.warnings.join('\n')).toMatch(
      /b: its firmware package is not in the station's cache/,
    );
  });

  it('continues an interrupted pull without duplicates, and refuses a binary that does not match its checksum', async () => {
    const fx = await startFixture({ station: { sync: { retry: { maxAttempts: 1 } } } });
    const seeded = seedSite(fx.cloud.state, {
      profile: 'P',
      devices: Array.from({ length: 7 }, (_, i) => ({ name: `d${i}`, token: `t${i}` })),
      packages: [{ title: 'FW', version: '1', data: firmwareBytes(2000, 1) }],
      firmware: { d0: 'FW@1' },
    });
    await fx.login();
    // The connection drops on the 4th credentials request: the pull stops part way.
    let credentialCalls = 0;
    fx.cloud.faults.inject({
      kind: 'drop-request',
      match: (r) => r.path.endsWith('/credentials') && ++credentialCalls === 4,
    });
    const first = await fx.call('cloud.pull', {});
    expect(first.error).toMatch(/continues where it was/);
    const partial = await fx.call('devices.list', {});
    expect(partial.length).toBe(3);
    // Corrupt the cloud's stored bytes: the checksum no longer matches what is served.
    const pkg = seeded.packages.get('FW@1');
    if (!pkg?.data) throw new Error('seed');
    pkg.data = Buffer.concat([pkg.data.subarray(0, 1999), Buffer.from([pkg.data[1999]! ^ 1])]);
    const second = await fx.call('cloud.pull', {});
    expect(second.error).toBeNull();
    expect(await fx.call('devices.list', {})).toHaveLength(7);
    expect(second.packages.failed).toEqual([
      {
        title: 'FW',
        version: '1',
        error: expect.stringMatching(/does not match the cloud's SHA256 checksum/),
      },
    ]);
    expect(await fx.call('packages.list', {})).toHaveLength(0);
    // A third pull changes nothing.
    const third = await fx.call('cloud.pull', { binaries: 'NONE' });
    expect(third.devices).toEqual({ added: 0, updated: 0, markedDeleted: 0, removed: 0 });
  });

  it('marks a device deleted in the cloud when it has history on site, and removes one without', async () => {
    const fx = await startFixture();
    const seeded = seedSite(fx.cloud.state, {
      profile: 'P',
      devices: [
        { name: 'kept', token: 'tk' },
        { name: 'gone', token: 'tg' },
      ],
    });
    await fx.login();
    await fx.call('cloud.pull', {});
    const client = await fx.site.connect('tk');
    await client.publishAsync('v1/devices/me/telemetry', '{"current_fw_version":"1.0.0"}', {
      qos: 1,
    });
    const kept = fx.cloud.state.deviceByName('kept');
    fx.cloud.state.deleteDevice(kept?.id ?? '');
    fx.cloud.state.deleteDevice(seeded.devices.get('gone')?.id ?? '');
    const summary = await fx.call('cloud.pull', {});
    expect(summary.devices).toMatchObject({ markedDeleted: 1, removed: 1 });
    const local = await fx.call('devices.list', {});
    expect(local.map((d) => d.name)).toEqual(['kept']);
    const log = await fx.call('cloud.log', {});
    expect(log.map((l) => l.message).join('\n')).toMatch(
      /kept was deleted in the cloud; kept on the station with its history/,
    );
  });
});
