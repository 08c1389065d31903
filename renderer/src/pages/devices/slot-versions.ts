import type { OtaSlot } from '../../../../shared/api/entities';

/** "Title Version" of what the device reports running in this slot; null when it said nothing. */
export function currentVersionOf(slot: OtaSlot): string | null {
  return slot.currentTitle || slot.currentVersion
    ? `${slot.currentTitle ?? ''} ${slot.currentVersion ?? ''}`.trim()
    : null;
}

/** "Title Version" of the package assigned to this slot; null when none is. */
export function assignedVersionOf(slot: OtaSlot): string | null {
  return slot.assignedPackageId
    ? `${slot.assignedTitle ?? ''} ${slot.assignedVersion ?? ''}`.trim()
    : null;
}
