import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { startSyncFixture, type SyncFixture } from '../cloud-emulator/support/sync-fixture';
import { type CliOver, cliOver } from '../support/cli-site';

describe('field-ota cloud', () => {
  let fx: SyncFixture;
  let api: CliOver;
  const cli = (args: string[]) => api.cli(args);
  beforeEach(async () => {
    fx = await startSyncFixture();
    api = await cliOver(fx.site);
    process.env.FIELD_OTA_CLOUD_PASSWORD = 'tenant';
  });
  afterEach(async () => {
    delete process.env.FIELD_OTA_CLOUD_PASSWORD;
    await api.close();
    await fx.close();
  });

  it('logs in, pulls, pushes, shows the status and logs out', async () => {
    seedSite(fx.cloud.state, {
      profile: 'CIM-168',
      devices: [{ name: 'CIM-168-02-22-90', token: 'TOKEN90' }],
      packages: [{ title: 'CIM-168', version: '1.0.1', data: firmwareBytes(5000, 1) }],
      firmware: { 'CIM-168-02-22-90': 'CIM-168@1.0.1' },
    });
    const login = await cli([
      'cloud',
      'login',
      '--url',
      fx.cloud.url,
      '--username',
      'tenant@thingsboard.org',
    ]);
    expect(login.code).toBe(0);
    expect(login.out).toContain(`Cloud: ${fx.cloud.url} as tenant@thingsboard.org: online`);
    expect(login.out).toContain('Session tokens: memory only');

    const pull = await cli(['cloud', 'pull']);
    expect(pull.out).toContain('Devices: 1 added');
    expect(pull.out).toContain('Packages: 1 in the cloud, 1 downloaded');
    const pullJson = JSON.parse((await cli(['cloud', 'pull', '--no-binaries', '--json'])).out);
    expect(pullJson.packages.downloaded).toBe(0);

    const profileId = (await fx.call('profiles.list', {}))[0]!.id;
    await fx.site.packageFrom(firmwareBytes(2000, 2), {
      title: 'CIM-168',
      version: '1.0.2',
      profileId,
    });
    const status = await cli(['cloud', 'status']);
    expect(status.out).toContain('Pending: 1 package(s)');
    const push = await cli(['cloud', 'push']);
    expect(push.code).toBe(0);
    expect(push.out).toContain('Pushed: 1 package(s)');
    expect((await cli(['cloud', 'conflicts'])).out).toContain('No conflicts.');

    const logout = await cli(['cloud', 'logout']);
    expect(logout.out).toContain('the session tokens were deleted');
    const after = await cli(['cloud', 'push']);
    expect(after.code).toBe(1);
    expect(after.err).toContain('Not signed in to the cloud');
  });

  it('explains a refused sign-in and a bad resolve choice', async () => {
    process.env.FIELD_OTA_CLOUD_PASSWORD = 'wrong';
    const refused = await cli(['cloud', 'login', '--url', fx.cloud.url, '--username', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('The cloud refused this username and password');
    const bad = await cli(['cloud', 'resolve', '3', 'mine']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('expected keep-mine or take-cloud');
  });
});
