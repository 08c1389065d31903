import { describe, expect, it } from 'vitest';

import { inputProblems, schemaProblems } from '../../renderer/src/api/validate-input';
import { ApiError } from '../../shared/api/errors';
import { operations, PackageMeta } from '../../shared/api/operations';
import { parseArgs } from '../../shared/api/validate';

/** The ApiError parseArgs throws for bad input (fails the test if it doesn't throw one). */
function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected the arguments to be refused');
}

// Bad arguments are refused at the API boundary with BAD_REQUEST, the field that is wrong, and a
// sentence a technician can act on; the renderer shows the same field messages before sending.
describe('API argument schemas', () => {
  it('refuses an empty device name, saying it is required', () => {
    const error = refusal(() => parseArgs('devices.add', { name: '   ', profileId: 'p1' }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.fields).toEqual({ name: 'is required' });
    expect(error.message).toBe('Invalid arguments for devices.add: name: is required');
  });

  it('refuses control characters in names and labels, naming the field, over IPC and HTTP alike', () => {
    const control = 'must not contain control characters (line breaks, tabs, escape codes)';
    const device = refusal(() =>
      parseArgs('devices.add', { name: 'CIM\u001b[2J-168', profileId: 'p1', label: 'Hall\nB' }),
    );
    expect(device.code).toBe('BAD_REQUEST');
    expect(device.fields).toEqual({ name: control, label: control });
    expect(
      refusal(() => parseArgs('devices.update', { id: 'd1', label: 'a\u202eb' })).fields,
    ).toEqual({ label: control });
    expect(refusal(() => parseArgs('profiles.add', { name: 'CIM\t168' })).fields).toEqual({
      name: control,
    });
    const meta = PackageMeta.safeParse({
      title: 'CIM-168',
      version: '1.0\u00071',
      profileId: 'p1',
      type: 'FIRMWARE',
      fileName: 'fw\r.bin',
    });
    expect(meta.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['version', control],
      ['fileName', control],
    ]);
    // Names from every script and ordinary punctuation stay welcome.
    expect(parseArgs('devices.add', { name: 'Pompe 3 – Hall B, 温度', profileId: 'p1' }).name).toBe(
      'Pompe 3 – Hall B, 温度',
    );
  });

  it("takes a profile's package with the job policy's site defaults, and a known package type", () => {
    expect(parseArgs('profiles.assign', { profileId: 'p1', packageId: 'k1' })).toEqual({
      profileId: 'p1',
      packageId: 'k1',
      policy: {
        concurrency: 10,
        timeoutSec: 600,
        retries: 1,
        retryDelaySec: 2,
        haltAfterFailures: null,
        haltAfterPercent: null,
      },
    });
    const badType = refusal(() =>
      parseArgs('profiles.unassign', { profileId: 'p1', type: 'BOTH' }),
    );
    expect(Object.keys(badType.fields ?? {})).toEqual(['type']);
    expect(parseArgs('devices.update', { id: 'd1', profileId: 'p2' })).toEqual({
      id: 'd1',
      profileId: 'p2',
    });
  });

  it('says a field left out is required, not "received undefined"', () => {
    const error = refusal(() => parseArgs('devices.add', { profileId: 'p1' }));
    expect(error.fields).toEqual({ name: 'is required' });
    const wrongType = refusal(() => parseArgs('devices.add', { name: 7, profileId: 'p1' }));
    expect(wrongType.fields?.name).toBe('Invalid input: expected string, received number');
  });

  it('refuses an access token with spaces, saying why', () => {
    const error = refusal(() =>
      parseArgs('devices.add', {
        name: 'CIM-168-02-22-90',
        profileId: 'p1',
        accessToken: 'my token',
      }),
    );
    expect(error.fields).toEqual({
      accessToken: 'may contain only printable characters without spaces',
    });
  });

  it('names every missing field', () => {
    const error = refusal(() => parseArgs('devices.add', {}));
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['name', 'profileId']);
    expect(error.message).toMatch(/^Invalid arguments for devices\.add: name: .+; profileId: .+$/);
    expect(error.fields?.profileId).toBe('is required');
  });

  it('treats a missing argument object as empty, not as a crash', () => {
    const error = refusal(() => parseArgs('profiles.add', null));
    expect(Object.keys(error.fields ?? {})).toEqual(['name']);
  });

  it('refuses unknown keys where an operation takes none', () => {
    const error = refusal(() => parseArgs('station.status', { verbose: true }));
    expect(error.fields).toEqual({ '(arguments)': 'Unrecognized key: "verbose"' });
  });

  it('refuses out-of-range and mistyped numbers', () => {
    expect(refusal(() => parseArgs('executions.list', { limit: 0 })).fields).toEqual({
      limit: 'Too small: expected number to be >=1',
    });
    expect(refusal(() => parseArgs('executions.list', { limit: 10_001 })).fields?.limit).toMatch(
      /Too big/,
    );
    expect(refusal(() => parseArgs('executions.list', { limit: 'ten' })).fields?.limit).toMatch(
      /expected number, received string/,
    );
  });

  it('lists the allowed package types when given another', () => {
    const error = refusal(() =>
      parseArgs('assignments.unassign', { deviceId: 'd1', type: 'BOOTLOADER' }),
    );
    expect(error.fields).toEqual({ type: 'Invalid option: expected one of "FIRMWARE"|"SOFTWARE"' });
  });

  it('applies defaults and trims names when the arguments are good', () => {
    expect(parseArgs('devices.add', { name: ' CIM-168-02-22-90 ', profileId: 'p1' })).toEqual({
      name: 'CIM-168-02-22-90',
      profileId: 'p1',
      label: '',
    });
    expect(parseArgs('station.protocolErrors', {})).toEqual({ limit: 100 });
  });
});

describe('package metadata schema', () => {
  const good = {
    title: 'CIM-168',
    version: '1.0.1',
    profileId: 'p1',
    type: 'FIRMWARE',
    fileName: 'fw.bin',
  };

  it('defaults the checksum algorithm to SHA256', () => {
    expect(PackageMeta.parse(good).checksumAlgorithm).toBe('SHA256');
  });

  it('offers the seven algorithms when given another', () => {
    expect(schemaProblems(PackageMeta, { ...good, checksumAlgorithm: 'SHA1' })).toEqual({
      checksumAlgorithm:
        'Invalid option: expected one of "MD5"|"SHA256"|"SHA384"|"SHA512"|"CRC32"|"MURMUR3_32"|"MURMUR3_128"',
    });
  });

  it('requires the title and version', () => {
    expect(schemaProblems(PackageMeta, { ...good, title: '', version: ' ' })).toEqual({
      title: 'is required',
      version: 'is required',
    });
  });
});

describe('renderer input checks', () => {
  it('use the same schemas as the station, so the form shows the station’s words', () => {
    expect(inputProblems('profiles.add', { name: '' })).toEqual({ name: 'is required' });
    expect(
      inputProblems('devices.add', { name: 'x', profileId: 'p1', accessToken: 'a b' }),
    ).toEqual({
      accessToken: 'may contain only printable characters without spaces',
    });
    expect(inputProblems('devices.add', { name: 'x', profileId: 'p1' })).toBeNull();
  });

  it('cover every operation', () => {
    for (const name of Object.keys(operations) as (keyof typeof operations)[]) {
      expect(() => schemaProblems(operations[name].input, {})).not.toThrow();
    }
  });
});
