import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';

import { CliError, describeError } from '../../electron/cli/cli-error';
import { progress } from '../../electron/cli/commands/devices';
import { expectedState } from '../../electron/cli/commands/simulate';
import { parsePackageSpec } from '../../electron/cli/lookups';
import { checksumAlgorithm, integerIn, packageType, port } from '../../electron/cli/option-parsers';
import { formatTable } from '../../electron/cli/output';
import type { OtaSlot } from '../../shared/api/entities';
import { ApiError } from '../../shared/api/errors';

describe('parsePackageSpec', () => {
  it('splits TITLE@VERSION at the last @', () => {
    expect(parsePackageSpec('CIM-168@1.0.1')).toEqual({ title: 'CIM-168', version: '1.0.1' });
    expect(parsePackageSpec('team@site fw@2.0')).toEqual({ title: 'team@site fw', version: '2.0' });
  });

  it('refuses anything else', () => {
    for (const spec of ['CIM-168', '@1.0.1', 'CIM-168@', '', '@']) {
      expect(() => parsePackageSpec(spec), spec).toThrow(CliError);
    }
  });
});

describe('option parsers', () => {
  it('accepts whole numbers in range only', () => {
    expect(port('0')).toBe(0);
    expect(port('8080')).toBe(8080);
    for (const bad of ['65536', '-1', '80.5', '1e3', 'abc', ''])
      expect(() => port(bad), bad).toThrow(InvalidArgumentError);
    expect(integerIn(1, 10)('10')).toBe(10);
    expect(() => integerIn(1, 10)('0')).toThrow(InvalidArgumentError);
  });

  it('reads package types and checksum algorithms in any case', () => {
    expect(packageType('firmware')).toBe('FIRMWARE');
    expect(packageType(' Software ')).toBe('SOFTWARE');
    expect(() => packageType('bootloader')).toThrow(/FIRMWARE, SOFTWARE/);
    expect(checksumAlgorithm('murmur3_128')).toBe('MURMUR3_128');
    expect(() => checksumAlgorithm('sha1')).toThrow(InvalidArgumentError);
  });
});

describe('formatTable', () => {
  it('pads every column to its widest cell', () => {
    const text = formatTable(
      ['NAME', 'STATE'],
      [
        ['CIM-168-02-22-90', 'INITIATED'],
        ['a', 'UPDATED'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'NAME              STATE',
      'CIM-168-02-22-90  INITIATED',
      'a                 UPDATED',
    ]);
  });
});

describe('progress', () => {
  const slot = (over: Partial<OtaSlot>): OtaSlot => ({
    currentTitle: null,
    currentVersion: null,
    assignedPackageId: 'p',
    assignedTitle: 'CIM-168',
    assignedVersion: '1.0.1',
    assignedFrom: 'DEVICE',
    state: 'INITIATED',
    error: null,
    bytesServed: 0,
    size: 1000,
    executionId: 'e',
    ...over,
  });

  it('uses bytes served while downloading and the dashboard percentages otherwise', () => {
    expect(progress(slot({ state: 'DOWNLOADING', bytesServed: 250 }))).toBe('25%');
    expect(progress(slot({ state: 'DOWNLOADING', bytesServed: 1000 }))).toBe('100%');
    expect(progress(slot({ state: 'INITIATED' }))).toBe('5%');
    expect(progress(slot({ state: 'UPDATED', bytesServed: 1000 }))).toBe('100%');
    expect(progress(slot({ state: null }))).toBeNull();
  });
});

describe('expectedState', () => {
  it('follows the simulation mode', () => {
    expect(expectedState({})).toBe('UPDATED');
    expect(expectedState({ failVerify: true })).toBe('FAILED');
    expect(expectedState({ silent: true, failVerify: true })).toBe('CONNECTED');
  });
});

describe('describeError', () => {
  it('adds field lines only when the message does not already list them', () => {
    expect(
      describeError(new ApiError('CONFLICT', 'Package exists', { version: 'already exists' })),
    ).toEqual(['Package exists', '  version: already exists']);
    expect(
      describeError(
        new ApiError('BAD_REQUEST', 'Invalid arguments: name: is required', {
          name: 'is required',
        }),
      ),
    ).toEqual(['Invalid arguments: name: is required']);
  });

  it('keeps the stack only for unexpected errors', () => {
    expect(describeError(new CliError('File not found: x'))).toEqual(['File not found: x']);
    const bug = describeError(new TypeError('boom'))[0] ?? '';
    expect(bug).toContain('TypeError: boom');
    expect(bug).toContain('\n    at ');
  });
});
