import { beforeEach, describe, expect, it } from 'vitest';

import type { OperationResult } from '../../shared/api/operations';
import { type CliSite, startCliSite } from '../support/cli-site';
import { closedAfterEach } from '../support/closed-after-each';
import { binary } from './device-api-helpers';

describe('field-ota profile assign / unassign', () => {
  const openSite = closedAfterEach(startCliSite);
  let site: CliSite;
  let profileId: string;
  /** `field-ota profile assign PROFILE --package PACKAGE [more]`. */
  const assign = (profile: string, pkg: string, ...more: string[]) =>
    site.cli(['profile', 'assign', profile, '--package', pkg, ...more]);
  const unassign = (...args: string[]) => site.cli(['profile', 'unassign', ...args]);

  beforeEach(async () => {
    site = await openSite();
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

  it("assigns a profile's firmware and software, says how many devices it reaches, and takes it back", async () => {
    const assigned = await assign('CIM-168', 'CIM-168@2.0.0');
    expect(assigned).toMatchObject({ code: 0, err: '' });
    expect(assigned.out).toMatch(
      /^Firmware CIM-168@2\.0\.0 assigned to device profile CIM-168: 2 devices will be updated \(job [0-9a-f-]{36}\)\.\n$/,
    );
    const jobs = await site.station.api['jobs.list']({ limit: 10 });
    const job = jobs.find((j) => j.target.kind === 'PROFILE');
    expect(job).toMatchObject({ packageVersion: '2.0.0', counts: { total: 2 } });
    expect(assigned.out).toContain(job?.id);

    const again = await assign('CIM-168', 'CIM-168@2.0.0');
    expect(again.out).toBe(
      'Firmware CIM-168@2.0.0 is already assigned to device profile CIM-168: nothing changes.\n',
    );

    const software = await assign('CIM-168', 'app@1.1', '--type', 'SOFTWARE', '--json');
    expect(software.code).toBe(0);
    const result = JSON.parse(software.out) as OperationResult<'profiles.assign'>;
    expect(result).toMatchObject({
      devices: 3,
      profile: { name: 'CIM-168', software: { title: 'app', version: '1.1' } },
    });

    const listed = await site.cli(['profile', 'list']);
    expect(listed.out).toMatch(/CIM-168 +CIM-168@2\.0\.0 +app@1\.1/);

    const unassigned = await unassign('CIM-168');
    expect(unassigned.out).toBe(
      'Firmware of device profile CIM-168 un-assigned: taken back from 2 devices.\n',
    );
    const nothing = await unassign('CIM-168');
    expect(nothing.out).toBe('Device profile CIM-168 has no firmware assigned: nothing changes.\n');
    const swGone = await unassign('CIM-168', '--type', 'SOFTWARE');
    expect(swGone.out).toBe(
      'Software of device profile CIM-168 un-assigned: taken back from 3 devices.\n',
    );
    const profiles = await site.station.api['profiles.list']({});
    expect(profiles[0]).toMatchObject({ firmware: null, software: null });
  });

  it('explains an unknown profile, an unknown package and a package of the wrong type', async () => {
    const unknown = await assign('NOPE', 'CIM-168@2.0.0');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Unknown device profile "NOPE"');

    const noPackage = await assign('CIM-168', 'CIM-168@9');
    expect(noPackage.code).toBe(1);
    expect(noPackage.err).toContain('No package CIM-168@9.');

    const wrongType = await assign('CIM-168', 'CIM-168@2.0.0', '--type', 'SOFTWARE');
    expect(wrongType.code).toBe(1);
    expect(wrongType.err).toContain('No software package CIM-168@2.0.0.');

    const badType = await unassign('CIM-168', '--type', 'BOTH');
    expect(badType.code).not.toBe(0);
    expect((await site.station.api['profiles.list']({}))[0]).toMatchObject({ firmware: null });
  });
});
