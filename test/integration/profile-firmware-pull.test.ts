import { describe, expect, it } from 'vitest';

import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';

// A profile's package on site must not make a pull fail when the cloud deletes that package.
describe('a profile package deleted in the cloud', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  it('leaves the profile without it; the pull goes on', async () => {
    const fx = await startFixture();
    const seeded = seedSite(fx.cloud.state, {
      profile: 'CIM-168',
      devices: [],
      packages: [{ title: 'CIM-168', version: '2.0.0', data: firmwareBytes(4_000, 3) }],
    });
    const cloudPackage = seeded.packages.get('CIM-168@2.0.0');
    await fx.login();
    await fx.call('cloud.pull', { packageIds: [cloudPackage?.id ?? ''] });
    const [local] = await fx.call('packages.list', {});
    const [profile] = await fx.call('profiles.list', {});
    await fx.call('profiles.assign', { profileId: profile?.id ?? '', packageId: local?.id ?? '' });

    fx.cloud.state.deletePackage(cloudPackage?.id ?? '');
    const summary = await fx.call('cloud.pull', {});
    expect(summary.error).toBeNull();
    expect(await fx.call('packages.list', {})).toEqual([]);
    expect((await fx.call('profiles.list', {}))[0]).toMatchObject({
      name: 'CIM-168',
      firmware: null,
    });
  });
});
