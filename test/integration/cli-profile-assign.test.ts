import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { type HeadlessHttp, startHeadlessHttp } from '../../electron/core/http/headless-http';
import type { OperationResult } from '../../shared/api/operations';
import { cliInProcess as cli } from '../support/cli-in-process';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { binary } from './device-api-helpers';

describe('field-ota profile assign / unassign', () => {
  let site: StationFixture;
  let http: HeadlessHttp;
  let station: string[];
  let profileId: string;

  beforeEach(async () => {
    site = await startStationFixture();
    http = await startHeadlessHttp({ station: site.station, port: 0, staticDir: site.dataDir });
    station = ['--station', http.url, '--data-dir', site.dataDir];
    profileId = (await site.profile('CIM-168')).id;
    await site.packageFrom(binary(5000), { profileId, version: '2.0.0' });
    await site.packageFrom(binary(3000), {
      profileId,
      title: 'app',
      version: '1.1',
      type: 'SOFTWARE',
    });
    const own = await site.device('CIM-168-02-22-90', profileId);
    await site.device('CIM-168-02-22-91', profileId);
    await site.device('CIM-168-02-22-92', profileId);
    const hotfix = await site.packageFrom(binary(2000, 3), { profileId, version: '1.9.9' });
    await site.station.api['assignments.assign']({ deviceId: own.id, packageId: hotfix.id });
  });
  afterEach(async () => {
    await http.close();
    await site.close();
  });

  it("assigns a profile's firmware and software, says how many devices it reaches, and takes it back", async () => {
    const assigned = await cli([
      'profile',
      'assign',
      'CIM-168',
      '--package',
      'CIM-168@2.0.0',
      ...station,
    ]);
    expect(assigned).toMatchObject({ code: 0, err: '' });
    expect(assigned.out).toMatch(
      /^Firmware CIM-168@2\.0\.0 assigned to device profile CIM-168: 2 devices will be updated \(job [0-9a-f-]{36}\)\.\n$/,
    );
    const jobs = await site.station.api['jobs.list']({ limit: 10 });
    const job = jobs.find((j) => j.target.kind === 'PROFILE');
    expect(job).toMatchObject({ packageVersion: '2.0.0', counts: { total: 2 } });
    expect(assigned.out).toContain(job?.id);

    const again = await cli([
      'profile',
      'assign',
      'CIM-168',
      '--package',
      'CIM-168@2.0.0',
      ...station,
    ]);
    expect(again.out).toBe(
      'Firmware CIM-168@2.0.0 is already assigned to device profile CIM-168: nothing changes.\n',
    );

    const software = await cli([
      'profile',
      'assign',
      'CIM-168',
      '--package',
      'app@1.1',
      '--type',
      'SOFTWARE',
      '--json',
      ...station,
    ]);
    expect(software.code).toBe(0);
    const result = JSON.parse(software.out) as OperationResult<'profiles.assign'>;
    expect(result).toMatchObject({
      devices: 3,
      profile: { name: 'CIM-168', software: { title: 'app', version: '1.1' } },
    });

    const listed = await cli(['profile', 'list', ...station]);
    expect(listed.out).toMatch(/CIM-168 +CIM-168@2\.0\.0 +app@1\.1/);

    const unassigned = await cli(['profile', 'unassign', 'CIM-168', ...station]);
    expect(unassigned.out).toBe(
      'Firmware of device profile CIM-168 un-assigned: taken back from 2 devices.\n',
    );
    const nothing = await cli(['profile', 'unassign', 'CIM-168', ...station]);
    expect(nothing.out).toBe('Device profile CIM-168 has no firmware assigned: nothing changes.\n');
    const swGone = await cli(['profile', 'unassign', 'CIM-168', '--type', 'SOFTWARE', ...station]);
    expect(swGone.out).toBe(
      'Software of device profile CIM-168 un-assigned: taken back from 3 devices.\n',
    );
    const profiles = await site.station.api['profiles.list']({});
    expect(profiles[0]).toMatchObject({ firmware: null, software: null });
  });

  it('explains an unknown profile, an unknown package and a package of the wrong type', async () => {
    const unknown = await cli([
      'profile',
      'assign',
      'NOPE',
      '--package',
      'CIM-168@2.0.0',
      ...station,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Unknown device profile "NOPE"');

    const noPackage = await cli([
      'profile',
      'assign',
      'CIM-168',
      '--package',
      'CIM-168@9',
      ...station,
    ]);
    expect(noPackage.code).toBe(1);
    expect(noPackage.err).toContain('No package CIM-168@9.');

    const wrongType = await cli([
      'profile',
      'assign',
      'CIM-168',
      '--package',
      'CIM-168@2.0.0',
      '--type',
      'SOFTWARE',
      ...station,
    ]);
    expect(wrongType.code).toBe(1);
    expect(wrongType.err).toContain('No software package CIM-168@2.0.0.');

    const badType = await cli(['profile', 'unassign', 'CIM-168', '--type', 'BOTH', ...station]);
    expect(badType.code).not.toBe(0);
    expect((await site.station.api['profiles.list']({}))[0]).toMatchObject({ firmware: null });
  });
});
