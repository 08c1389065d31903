import type { OtaSlot } from '../../shared/api/entities';

/** A device's firmware or software slot with nothing reported, assigned or under way. */
export const EMPTY_SLOT: OtaSlot = {
  currentTitle: null,
  currentVersion: null,
  assignedPackageId: null,
  assignedTitle: null,
  assignedVersion: null,
  assignedFrom: null,
  state: null,
  error: null,
  bytesServed: 0,
  size: 0,
  executionId: null,
};
