import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { FileSecretStore } from '../../electron/core/sync/secret-store';
import { ApiError } from '../../shared/api/errors';
import { firmwareBytes, seedSite } from '../cloud-emulator/seed';
import { compareSiteWithCloud } from '../cloud-emulator/support/compare-site';
import { pushUntilDone, seedAndPull, workOffline } from '../cloud-emulator/support/site-visit';
import { startSyncFixture } from '../cloud-emulator/support/sync-fixture';
import { closedAfterEach } from '../support/closed-after-each';
import { waitFor } from '../support/wait';

describe('cloud session and connectivity', () => {
  const startFixture = closedAfterEach(startSyncFixture);

  it('refreshes an access token that expires during a long push, and loses nothing', async () => {
    // Short enough to expire several times during the push, long enough to outlive one request on a
    // loaded machine (a token that expires between refresh and retry means "sign in again").
    const fx = await startFixture({ cloud: { tokenTtlMs: 500, delayMs: 30 } });
    const tokens = await seedAndPull(fx, 3);
    await workOffline(fx, tokens, { historyPoints: 80 });
    fx.cloud.faults.setRandom({ rate: 1, kinds: ['delay'], seed: 1 });
    const summary = await fx.call('cloud.push', {});
    fx.cloud.faults.clear();
    expect(summary.error).toBeNull();
    const stats = fx.cloud.stats();
    expect(stats.expiredTokenRejections).toBeGreaterThan(0);
    expect(stats.refreshes).toBeGreaterThan(0);
    const comparison = compareSiteWithCloud(fx.site.dataDir, fx.cloud.state);
    expect(comparison.lost).toEqual([]);
    expect(comparison.duplicates).toEqual([]);
    expect((await fx.call('cloud.status', {})).connection).toBe('ONLINE');
  });

  it('asks for a sign-in when the refresh is refused; the password is never stored', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'field-ota-session-'));
    const secrets = new FileSecretStore(path.join(dataDir, 'cloud-session.json'));
    const fx = await startFixture({
      cloud: { tokenTtlMs: 100 },
      station: { dataDir, secretStore: secrets },
    });
    seedSite(fx.cloud.state, { profile: 'P', devices: [{ name: 'd', token: 't' }] });
    await fx.login();
    const file = path.join(dataDir, 'cloud-session.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('tenant"');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      url: fx.cloud.url,
      username: 'tenant@thingsboard.org',
      token: expect.any(String),
      refreshToken: expect.any(String),
    });
    fx.cloud.revokeRefreshTokens();
    await new Promise((r) => setTimeout(r, 150));
    const pull = await fx.call('cloud.pull', {});
    expect(pull.error).toMatch(/sign in again/);
    const status = await fx.call('cloud.status', {});
    expect(status.connection).toBe('SIGN_IN_REQUIRED');
    expect(fs.existsSync(file)).toBe(false);
    const refused = await fx.call('cloud.push', {}).catch((e: unknown) => e);
    expect((refused as ApiError).code).toBe('UNAUTHORIZED');
    await fx.login();
    expect((await fx.call('cloud.pull', {})).devices.added).toBe(1);
    await fx.call('cloud.logout', {});
    expect(fs.existsSync(file)).toBe(false);
    expect((await fx.call('cloud.status', {})).connection).toBe('SIGNED_OUT');
  });

  it('reports sign-in mistakes clearly and keeps a station to the cloud it synced with', async () => {
    const fx = await startFixture();
    const wrong = await fx
      .call('cloud.login', {
        url: fx.cloud.url,
        username: 'tenant@thingsboard.org',
        password: 'nope',
      })
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'The cloud refused this username and password',
    });
    const unreachable = await fx
      .call('cloud.login', { url: 'http://127.0.0.1:9', username: 'a', password: 'b' })
      .catch((e: unknown) => e);
    expect(unreachable).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/not reachable \(ECONNREFUSED\)/),
    });
    const bad = await fx
      .call('cloud.login', { url: 'ftp://x', username: 'a', password: 'b' })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', fields: { url: 'is not a valid URL' } });
    seedSite(fx.cloud.state, { profile: 'P', devices: [{ name: 'd', token: 't' }] });
    await fx.login();
    await fx.call('cloud.pull', {});
    const other = await startSyncFixture();
    try {
      const elsewhere = await fx
        .call('cloud.login', {
          url: other.cloud.url,
          username: 'tenant@thingsboard.org',
          password: 'tenant',
        })
        .catch((e: unknown) => e);
      expect(elsewhere).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/was synced with/),
      });
    } finally {
      await other.close();
    }
  });

  it('a package over the cloud upload limit (413) fails clearly, once; the rest goes on', async () => {
    const fx = await startFixture({ cloud: { maxUploadBytes: 32 * 1024 } });
    seedSite(fx.cloud.state, { profile: 'P', devices: [] });
    await fx.login();
    await fx.call('cloud.pull', {});
    const profileId = (await fx.call('profiles.list', {}))[0]!.id;
    await fx.site.packageFrom(firmwareBytes(60_000, 1), { title: 'BIG', version: '1', profileId });
    await fx.site.packageFrom(firmwareBytes(10_000, 2), {
      title: 'SMALL',
      version: '1',
      profileId,
    });
    let uploads = 0;
    fx.cloud.onRequest = (r) => {
      if (r.method === 'POST' && /^\/api\/otaPackage\/[^/]+$/.test(r.path)) uploads += 1;
    };
    const push = await fx.call('cloud.push', {});
    expect(push.failed).toBe(1);
    expect(push.pushed.packages).toBe(1);
    const [failed] = (await fx.call('cloud.pending', {})).filter((i) => i.status === 'FAILED');
    expect(failed?.error).toMatch(
      /BIG 1 \(0\.1 MiB\): larger than its upload limit \(a stock server accepts 16 MiB\)/,
    );
    expect([...fx.cloud.state.packages.values()].map((p) => p.title)).toEqual(['SMALL']);
    const uploadsAfterFirst = uploads;
    expect(uploadsAfterFirst).toBe(2);
    await fx.call('cloud.push', {});
    expect(uploads).toBe(uploadsAfterFirst);
    expect((await fx.call('cloud.status', {})).failed).toBe(1);
    await fx.call('cloud.retryItem', { id: failed!.id });
    await fx.call('cloud.push', {});
    expect(uploads).toBe(uploadsAfterFirst + 1);
    await fx.call('cloud.discardItem', { id: failed!.id });
    expect(await fx.call('cloud.pending', {})).toEqual([]);
  });

  it('waits as long as a 429 asks (Retry-After) before trying again', async () => {
    const fx = await startFixture({ cloud: { retryAfterSeconds: 1 } });
    seedSite(fx.cloud.state, { profile: 'P', devices: [] });
    await fx.login();
    await fx.call('cloud.pull', {});
    const profileId = (await fx.call('profiles.list', {}))[0]!.id;
    await fx.site.packageFrom(firmwareBytes(1000, 1), { title: 'FW', version: '1', profileId });
    const creates: number[] = [];
    fx.cloud.onRequest = (r) => {
      if (r.method === 'POST' && r.path === '/api/otaPackage') creates.push(performance.now());
    };
    fx.cloud.faults.inject({
      kind: 'error-429',
      match: (r) => r.method === 'POST' && r.path === '/api/otaPackage',
    });
    const push = await fx.call('cloud.push', {});
    expect(push.pushed.packages).toBe(1);
    expect(creates).toHaveLength(2);
    expect(creates[1]! - creates[0]!).toBeGreaterThanOrEqual(990);
  });

  it('probes the cloud while offline (backing off) and pushes by itself when it returns', async () => {
    const fx = await startFixture({
      station: {
        sync: { autoSync: true, intervalMs: 100, offlineBackoff: { baseMs: 40, capMs: 160 } },
      },
    });
    const tokens = await seedAndPull(fx, 2);
    await fx.cloud.goOffline();
    await workOffline(fx, tokens, { historyPoints: 5 });
    const offline = await waitFor(async () => {
      const s = await fx!.call('cloud.status', {});
      return s.connection === 'OFFLINE' && s.nextAttemptAt !== null && s;
    });
    expect(offline.pending.assignments).toBe(3);
    await fx.cloud.goOnline();
    await waitFor(
      async () => {
        const s = await fx!.call('cloud.status', {});
        return s.connection === 'ONLINE' && Object.values(s.pending).every((n) => n === 0);
      },
      { timeoutMs: 10_000 },
    );
    expect(compareSiteWithCloud(fx.site.dataDir, fx.cloud.state).lost).toEqual([]);
    await fx.call('cloud.setAutoSync', { enabled: false });
    expect((await fx.call('cloud.status', {})).nextAttemptAt).toBeNull();
    expect(await pushUntilDone(fx, 2)).toBe(1);
  });
});
