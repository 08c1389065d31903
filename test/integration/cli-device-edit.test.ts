import { beforeEach, describe, expect, it } from 'vitest';

import type { Device } from '../../shared/api/entities';
import { type CliSite, startCliSite } from '../support/cli-site';
import { closedAfterEach } from '../support/closed-after-each';

describe('field-ota device edit', () => {
  const openSite = closedAfterEach(startCliSite);
  let site: CliSite;
  const cli = (args: string[]) => site.cli(args);

  beforeEach(async () => {
    site = await openSite();
    const profile = await site.profile('CIM-168');
    await site.device('CIM-168-02-22-09', profile.id, 'TOKEN-90');
    await site.device('CIM-168-02-22-91', profile.id, 'TOKEN-91');
  });
  /** What waits for the cloud besides the devices' own creation. */
  const edits = async () =>
    (await site.station.api['cloud.pending']({})).filter((i) => i.kind === 'device.updated');

  it('renames and relabels a device by its name, and says it is queued for the cloud', async () => {
    const renamed = await cli([
      'device',
      'edit',
      'CIM-168-02-22-09',
      '--name',
      'CIM-168-02-22-90',
      '--label',
      'Pump 3',
    ]);
    expect(renamed).toMatchObject({ code: 0, err: '' });
    expect(renamed.out).toBe(
      'Device "CIM-168-02-22-09" renamed to "CIM-168-02-22-90", label set to "Pump 3" (queued for the cloud sync).\n',
    );
    expect(await edits()).toMatchObject([
      { kind: 'device.updated', label: 'name and label of CIM-168-02-22-90' },
    ]);

    const json = await cli(['device', 'edit', 'CIM-168-02-22-90', '--label', '', '--json']);
    expect(json.code).toBe(0);
    const device = JSON.parse(json.out) as Device;
    expect(device).toMatchObject({ name: 'CIM-168-02-22-90', label: '', accessToken: 'TOKEN-90' });

    const listed = await cli(['devices']);
    expect(listed.out).toContain('CIM-168-02-22-90');
    expect(listed.out).not.toContain('CIM-168-02-22-09');
  });

  it('explains a taken name, an unknown device and an edit with nothing to change', async () => {
    const taken = await cli(['device', 'edit', 'CIM-168-02-22-09', '--name', 'CIM-168-02-22-91']);
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('A device named "CIM-168-02-22-91" already exists');
    expect(taken.err).toContain('name: already exists');

    const unknown = await cli(['device', 'edit', 'NOPE', '--label', 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Unknown device "NOPE"');

    const nothing = await cli(['device', 'edit', 'CIM-168-02-22-09']);
    expect(nothing.code).toBe(1);
    expect(nothing.err).toContain('Nothing to change: give --name NEW and/or --label TEXT.');
    expect(await edits()).toEqual([]);
  });

  it('moves a device to another device profile by its name, and explains an unknown profile', async () => {
    await site.profile('CIM-200');
    const moved = await cli(['device', 'edit', 'CIM-168-02-22-09', '--profile', 'CIM-200']);
    expect(moved).toMatchObject({ code: 0, err: '' });
    expect(moved.out).toBe(
      'Device "CIM-168-02-22-09" moved to device profile "CIM-200" (queued for the cloud sync).\n',
    );
    expect(await edits()).toMatchObject([
      { kind: 'device.updated', label: 'device profile of CIM-168-02-22-09' },
    ]);
    const listed = await cli(['devices', '--json']);
    const devices = JSON.parse(listed.out) as Device[];
    expect(devices.find((d) => d.name === 'CIM-168-02-22-09')).toMatchObject({
      profileName: 'CIM-200',
    });

    const unknown = await cli(['device', 'edit', 'CIM-168-02-22-91', '--profile', 'CIM-999']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('Unknown device profile "CIM-999"');
    expect(await edits()).toHaveLength(1);

    const help = await cli(['device', 'edit', '--help']);
    expect(help.out).toContain('--profile <profile>');
    expect(help.out).not.toContain('profile are not editable');
  });
});
