import { describe, expect, it } from 'vitest';

import { backoffDelay } from '../../electron/core/sync/backoff';
import {
  CloudHttpError,
  CloudNetworkError,
  isTransient,
  parseRetryAfter,
} from '../../electron/core/sync/cloud-errors';

describe('backoff with jitter', () => {
  const options = { baseMs: 100, capMs: 1_000 };

  it('grows exponentially up to the cap, and never exceeds it', () => {
    const top = (attempt: number) => backoffDelay(attempt, options, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5, 20].map(top)).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('spreads retries uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(400);
    const seen = new Set(Array.from({ length: 200 }, () => backoffDelay(4, options)));
    expect(seen.size).toBeGreaterThan(50);
    for (const delay of seen) expect(delay).toBeLessThan(1_000);
  });
});

describe('Retry-After and what is worth retrying', () => {
  it('reads seconds and HTTP dates; ignores garbage', () => {
    const now = Date.parse('2026-07-01T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jul 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 01 Jul 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('retries network errors, 5xx and 429, nothing else', () => {
    expect(isTransient(new CloudNetworkError('reset', 'ECONNRESET'))).toBe(true);
    expect(isTransient(new CloudHttpError(503, 2, 'busy'))).toBe(true);
    expect(isTransient(new CloudHttpError(429, 33, 'slow down'))).toBe(true);
    for (const status of [400, 401, 404, 409, 413])
      expect(isTransient(new CloudHttpError(status, 31, 'no'))).toBe(false);
    expect(isTransient(new Error('bug'))).toBe(false);
  });
});
