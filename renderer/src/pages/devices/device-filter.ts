import type { Device, OtaSlot } from '../../../../shared/api/entities';
import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { FINAL_STATES, type OtaState } from '../../../../shared/protocol/states';
import { type Sort, sortBy } from '../../lib/sorting';

export type StateFilter = 'any' | 'none' | 'active' | OtaState;
export type OnlineFilter = 'any' | 'online' | 'offline';

export interface DeviceFilter {
  query: string;
  profileId: string; // '' = any
  state: StateFilter;
  online: OnlineFilter;
}

export const NO_FILTER: DeviceFilter = { query: '', profileId: '', state: 'any', online: 'any' };

export type DeviceColumn =
  'name' | 'profile' | 'online' | 'firmware' | 'software' | 'state' | 'lastSeen';

/** The slot whose update the row shows: one in flight first, else firmware, else software. */
export function shownUpdate(device: Device): { type: OtaPackageType; slot: OtaSlot } | null {
  const fw = device.firmware;
  const sw = device.software;
  if (fw.state && !FINAL_STATES.has(fw.state)) return { type: 'FIRMWARE', slot: fw };
  if (sw.state && !FINAL_STATES.has(sw.state)) return { type: 'SOFTWARE', slot: sw };
  if (fw.state) return { type: 'FIRMWARE', slot: fw };
  if (sw.state) return { type: 'SOFTWARE', slot: sw };
  return null;
}

function matchesState(device: Device, state: StateFilter): boolean {
  if (state === 'any') return true;
  const states = [device.firmware.state, device.software.state];
  if (state === 'none') return states.every((s) => s === null);
  if (state === 'active') return states.some((s) => s !== null && !FINAL_STATES.has(s));
  return states.includes(state);
}

function slotText(slot: OtaSlot): string {
  return `${slot.currentTitle ?? ''} ${slot.currentVersion ?? ''} ${slot.assignedTitle ?? ''} ${slot.assignedVersion ?? ''}`;
}

export function filterDevices(devices: readonly Device[], filter: DeviceFilter): Device[] {
  const words = filter.query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return devices.filter((device) => {
    if (filter.profileId && device.profileId !== filter.profileId) return false;
    if (filter.online === 'online' && !device.online) return false;
    if (filter.online === 'offline' && device.online) return false;
    if (!matchesState(device, filter.state)) return false;
    if (words.length === 0) return true;
    const text =
      `${device.name} ${device.label} ${device.profileName} ${slotText(device.firmware)} ${slotText(device.software)}`.toLowerCase();
    return words.every((word) => text.includes(word));
  });
}

const STATE_ORDER: Record<OtaState, number> = {
  FAILED: 0,
  TIMED_OUT: 1,
  DOWNLOADING: 2,
  DOWNLOADED: 3,
  VERIFIED: 4,
  UPDATING: 5,
  INITIATED: 6,
  QUEUED: 7,
  CANCELED: 8,
  UPDATED: 9,
};

const VALUE_OF: Record<DeviceColumn, (d: Device) => string | number | null> = {
  name: (d) => d.name,
  profile: (d) => d.profileName,
  online: (d) => (d.online ? 0 : 1),
  firmware: (d) => d.firmware.currentVersion,
  software: (d) => d.software.currentVersion,
  state: (d) => {
    const shown = shownUpdate(d);
    return shown?.slot.state ? STATE_ORDER[shown.slot.state] : null;
  },
  lastSeen: (d) => d.lastSeenAt,
};

export function sortDevices(devices: readonly Device[], sort: Sort<DeviceColumn>): Device[] {
  return sortBy(devices, VALUE_OF[sort.key], sort.direction);
}
