import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CloudClient, type TokenHolder } from '../../electron/core/sync/cloud-client';
import { CloudHttpError, SignInRequiredError } from '../../electron/core/sync/cloud-errors';
import type { Tokens } from '../../electron/core/sync/cloud-types';
import { listAll } from '../../electron/core/sync/pull/list-all';
import { type CloudEmulator, startCloudEmulator } from '../cloud-emulator/emulator';
import { seedSite } from '../cloud-emulator/seed';

describe('the cloud client', () => {
  let cloud: CloudEmulator;
  let slept: number[];
  let tokens: Tokens | null;
  let invalidated: number;
  const holder: TokenHolder = {
    get: () => tokens,
    set: async (t) => {
      tokens = t;
    },
    invalidate: async () => {
      invalidated += 1;
      tokens = null;
    },
  };

  function client(maxAttempts = 5): CloudClient {
    return new CloudClient({
      baseUrl: `${cloud.url}/`,
      tokens: holder,
      retry: { maxAttempts, backoff: { baseMs: 100, capMs: 400 } },
      sleep: async (ms) => {
        slept.push(ms);
      },
      random: () => 0.5,
    });
  }

  beforeEach(async () => {
    cloud = await startCloudEmulator({ tokenTtlMs: 60_000, retryAfterSeconds: 2 });
    slept = [];
    invalidated = 0;
    tokens = await CloudClient.once(cloud.url).login('tenant@thingsboard.org', 'tenant');
  });
  afterEach(() => cloud.close());

  it('waits what a 429 asks, backs off with jitter on 5xx and cut connections, then succeeds', async () => {
    const only = (r: { path: string }) => r.path === '/api/deviceProfiles';
    cloud.faults.inject({ kind: 'error-429', match: only });
    cloud.faults.inject({ kind: 'error-500', match: only });
    cloud.faults.inject({ kind: 'drop-request', match: only });
    cloud.faults.inject({ kind: 'drop-response', match: only });
    const c = client();
    const page = await c.profilesPage(0, 10);
    expect(page.data.map((p) => p.name)).toEqual(['default']);
    // Retry-After, then jitter 0.5 of 200, 400, and 400 again (the cap).
    expect(slept).toEqual([2000, 100, 200, 200]);
    expect(c.counters).toMatchObject({
      retries: 4,
      rateLimited: 1,
      serverErrors: 1,
      networkErrors: 2,
    });
  });

  it('gives up after maxAttempts with the last error, and never retries a 4xx', async () => {
    cloud.faults.inject({ kind: 'error-500', match: () => true, times: 3 });
    await expect(client(3).profilesPage(0, 10)).rejects.toMatchObject({ status: 500 });
    await expect(client().device('missing')).rejects.toBeInstanceOf(CloudHttpError);
    expect(slept).toHaveLength(2);
  });

  it('refreshes an expired token once and retries; a refused refresh ends the session', async () => {
    // Long enough that a refreshed token outlives the retried request on a loaded machine.
    const short = await startCloudEmulator({ tokenTtlMs: 400 });
    try {
      tokens = await CloudClient.once(short.url).login('tenant@thingsboard.org', 'tenant');
      const c = new CloudClient({ baseUrl: short.url, tokens: holder });
      await new Promise((r) => setTimeout(r, 450));
      const before = tokens.token;
      await c.profilesPage(0, 10);
      expect(tokens.token).not.toBe(before);
      expect(c.counters.refreshes).toBe(1);
      short.revokeRefreshTokens();
      await new Promise((r) => setTimeout(r, 450));
      await expect(c.profilesPage(0, 10)).rejects.toBeInstanceOf(SignInRequiredError);
      expect(invalidated).toBe(1);
      await expect(c.profilesPage(0, 10)).rejects.toThrow(/Not signed in/);
    } finally {
      await short.close();
    }
  });

  it('lists every page, each item once', async () => {
    seedSite(cloud.state, {
      profile: 'P',
      devices: Array.from({ length: 7 }, (_, i) => ({ name: `d${i}`, token: `t${i}` })),
    });
    const c = client();
    const pages: number[] = [];
    const all = await listAll((page) => {
      pages.push(page);
      return c.devicesPage(page, 3);
    });
    expect(pages).toEqual([0, 1, 2]);
    expect(all.map((d) => d.name).sort()).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6']);
  });

  it('says clearly when the address is not a cloud URL', () => {
    expect(() => new CloudClient({ baseUrl: 'not a url' })).toThrow(/is not a URL/);
    expect(() => new CloudClient({ baseUrl: 'ftp://x' })).toThrow(
      /must start with https:\/\/ or http:\/\//,
    );
  });
});
