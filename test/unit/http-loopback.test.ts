import { describe, expect, it } from 'vitest';

import { hostForUrl, isLoopbackHost } from '../../electron/core/http/loopback';

describe('isLoopbackHost', () => {
  it('knows the addresses that stay on this computer', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('treats wildcards, LAN addresses and names as reachable from the network', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '192.168.1.20',
      '10.0.0.1',
      'fe80::1',
      'station.local',
      'localhost.evil.example',
      '128.0.0.1',
      '',
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

describe('hostForUrl', () => {
  it('brackets IPv6 literals only', () => {
    expect(hostForUrl('::1')).toBe('[::1]');
    expect(hostForUrl('[::1]')).toBe('[::1]');
    expect(hostForUrl('127.0.0.1')).toBe('127.0.0.1');
    expect(hostForUrl('localhost')).toBe('localhost');
  });
});
