/**
 * ThingsBoard's device SDK and the firmware script in its docs compare CRC32 and MURMUR3
 * checksums with their leading zeros dropped, so a package whose checksum starts with 00 fails
 * on the device every time. The station keeps ThingsBoard's fixed-width format, and when such a
 * device reports its checksum failure, the failure says why and what to do.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { checksumOfBuffer } from '../../electron/core/packages/checksum';
import type { ChecksumAlgorithm } from '../../shared/protocol/checksum-algorithms';
import { startStationFixture, type StationFixture } from '../support/station-fixture';
import { binary } from './device-api-helpers';

/** A binary whose checksum in `algorithm` starts (or not) with 00. */
function binaryWithChecksum(algorithm: ChecksumAlgorithm, leadingZeros: boolean): Buffer {
  for (let seed = 0; seed < 100_000; seed++) {
    const bytes = binary(2000);
    bytes.writeUInt32BE(seed, 0);
    if (checksumOfBuffer(algorithm, bytes).startsWith('00') === leadingZeros) return bytes;
  }
  throw new Error(`no ${algorithm} checksum found`);
}

describe('a checksum failure reported by the device', () => {
  let fx: StationFixture;
  let deviceId: string;
  let token: string;
  let profileId: string;
  beforeEach(async () => {
    fx = await startStationFixture();
    profileId = (await fx.profile()).id;
    const device = await fx.device('D-1', profileId);
    deviceId = device.id;
    token = device.accessToken;
  });
  afterEach(async () => {
    await fx.close();
  });

  const failWith = async (
    algorithm: ChecksumAlgorithm,
    leadingZeros: boolean,
    telemetry: object,
  ): Promise<string | null> => {
    const bytes = binaryWithChecksum(algorithm, leadingZeros);
    const pkg = await fx.packageFrom(bytes, { profileId, checksumAlgorithm: algorithm });
    expect(pkg.checksum.startsWith('00')).toBe(leadingZeros);
    const execution = await fx.station.api['assignments.assign']({ deviceId, packageId: pkg.id });
    const client = await fx.connect(token);
    await client.publishAsync('v1/devices/me/telemetry', JSON.stringify(telemetry), { qos: 1 });
    const list = await fx.station.api['executions.list']({ deviceId, limit: 10 });
    const failed = list.find((e) => e.id === execution.id);
    expect(failed?.state).toBe('FAILED');
    return failed?.error ?? null;
  };

  it.each(['CRC32', 'MURMUR3_32', 'MURMUR3_128'] as const)(
    'of a %s package whose checksum starts with 00 says so and to re-add it with SHA256',
    async (algorithm) => {
      const error = await failWith(algorithm, true, {
        fw_state: 'FAILED',
        fw_error: 'Checksum verification failed',
      });
      expect(error).toMatch(/^Checksum verification failed\. /);
      expect(error).toContain(`${algorithm} checksum starts with 00`);
      expect(error).toContain('leading zero');
      expect(error).toContain('re-add the package with SHA256');
    },
  );

  it('without fw_error (as the SDK reports it), the same note as a possibility', async () => {
    const error = await failWith('CRC32', true, { fw_state: 'FAILED' });
    expect(error).toContain('The device reported FAILED without fw_error');
    expect(error).toContain('If it failed its checksum check');
    expect(error).toContain('re-add the package with SHA256');
  });

  it('is left as the device wrote it for other checksums and other failures', async () => {
    expect(
      await failWith('CRC32', false, {
        fw_state: 'FAILED',
        fw_error: 'Checksum verification failed',
      }),
    ).toBe('Checksum verification failed');
    await fx.close();
    fx = await startStationFixture();
    profileId = (await fx.profile()).id;
    const device = await fx.device('D-2', profileId);
    deviceId = device.id;
    token = device.accessToken;
    expect(
      await failWith('CRC32', true, { fw_state: 'FAILED', fw_error: 'Flash write error' }),
    ).toBe('Flash write error');
  });
});
