import { describe, expect, it } from 'vitest';

import { ConcurrencyLimiter } from '../../electron/simulator/concurrency-limiter';
import {
  currentTelemetry,
  failedTelemetry,
  parseAttributePush,
  parseAttributeResponse,
  parseChunkResponseTopic,
  sharedKeysRequest,
} from '../../electron/simulator/device-messages';
import { targetFromShared, verificationError } from '../../electron/simulator/ota-target';
import { FW_KEYS } from '../../shared/protocol/ota-keys';

describe('simulated device wire messages', () => {
  it('asks for the shared keys exactly as the seed writes them, without spaces', () => {
    expect(sharedKeysRequest(['FIRMWARE'])).toBe(
      '{"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm"}',
    );
    expect(sharedKeysRequest(['FIRMWARE', 'SOFTWARE'])).toBe(
      '{"sharedKeys":"fw_title,fw_version,fw_size,fw_checksum,fw_checksum_algorithm,' +
        'sw_title,sw_version,sw_size,sw_checksum,sw_checksum_algorithm"}',
    );
  });

  it('writes the telemetry of the sequence diagram', () => {
    expect(currentTelemetry('FIRMWARE', 'CIM-168', '1.0.0')).toBe(
      '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0"}',
    );
    expect(currentTelemetry('FIRMWARE', 'CIM-168', '1.0.0', 'DOWNLOADING')).toBe(
      '{"current_fw_title":"CIM-168","current_fw_version":"1.0.0","fw_state":"DOWNLOADING"}',
    );
    expect(currentTelemetry('SOFTWARE', 'S', '2', 'UPDATED')).toBe(
      '{"current_sw_title":"S","current_sw_version":"2","sw_state":"UPDATED"}',
    );
    expect(failedTelemetry('SOFTWARE', 'NOT_FOUND')).toBe(
      '{"sw_state":"FAILED","sw_error":"NOT_FOUND"}',
    );
  });

  it('reads responses, pushes and chunk topics, and ignores garbage', () => {
    expect(parseAttributeResponse(Buffer.from('{"shared":{"fw_version":"1.0.1"}}'))).toEqual({
      fw_version: '1.0.1',
    });
    expect(parseAttributeResponse(Buffer.from('{}'))).toEqual({});
    expect(parseAttributeResponse(Buffer.from('not json'))).toBeUndefined();
    expect(parseAttributePush(Buffer.from('{"deleted":["fw_tag","fw_url"]}'))).toEqual({
      values: {},
      deleted: ['fw_tag', 'fw_url'],
    });
    expect(parseAttributePush(Buffer.from('[1,2]'))).toBeUndefined();
    expect(parseChunkResponseTopic('v2/fw/response/01/chunk/12')).toEqual({
      type: 'FIRMWARE',
      requestId: '01',
      index: 12,
    });
    expect(parseChunkResponseTopic('v2/sw/response/3/chunk/x')).toBeUndefined();
  });

  it('reads the target from shared attributes and checks size before checksum', () => {
    const shared = new Map<string, unknown>([
      ['fw_title', 'CIM-168'],
      ['fw_version', '1.0.1'],
      ['fw_size', 10],
      ['fw_checksum', 'AB'],
    ]);
    const target = targetFromShared(shared, FW_KEYS);
    expect(target).toEqual({
      title: 'CIM-168',
      version: '1.0.1',
      size: 10,
      checksum: 'AB',
      algorithm: 'SHA256',
    });
    if (!target) return;
    expect(verificationError(target, { bytes: 9, digest: 'ab' }, false)).toBe(
      'Size does not match for CIM-168 1.0.1 (expected 10 bytes, got 9)',
    );
    // The server's checksum may come in any case.
    expect(verificationError(target, { bytes: 10, digest: 'ab' }, false)).toBeUndefined();
    expect(targetFromShared(new Map([['fw_title', 'x']]), FW_KEYS)).toBeUndefined();
  });
});

describe('ConcurrencyLimiter', () => {
  it('never runs more tasks than its limit, and runs them all', async () => {
    const limiter = new ConcurrencyLimiter(3);
    let running = 0;
    let peak = 0;
    const task = async (i: number): Promise<number> => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      if (i === 4) throw new Error('boom');
      return i;
    };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => limiter.run(() => task(i))),
    );
    expect(peak).toBe(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(19);
  });
});
