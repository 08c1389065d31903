import { describe, expect, it } from 'vitest';

import {
  assignedVersionOf,
  currentVersionOf,
} from '../../renderer/src/pages/devices/slot-versions';
import { EMPTY_SLOT as SLOT } from '../support/empty-slot';

describe('a slot in words, as the device table and its details say it', () => {
  it('names what the device runs, or nothing when it reported neither title nor version', () => {
    expect(currentVersionOf(SLOT)).toBeNull();
    expect(currentVersionOf({ ...SLOT, currentTitle: 'fw', currentVersion: '1.2' })).toBe('fw 1.2');
    expect(currentVersionOf({ ...SLOT, currentVersion: '1.2' })).toBe('1.2');
  });

  it('names the assigned package only when one is assigned', () => {
    expect(assignedVersionOf({ ...SLOT, assignedTitle: 'fw', assignedVersion: '2' })).toBeNull();
    expect(
      assignedVersionOf({
        ...SLOT,
        assignedPackageId: 'p1',
        assignedTitle: 'fw',
        assignedVersion: '2',
      }),
    ).toBe('fw 2');
  });
});
