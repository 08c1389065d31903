import { useSyncExternalStore } from 'react';

import { type DeviceFilter, NO_FILTER } from './device-filter';

/**
 * The Devices page's search and filters, kept while the technician visits other pages: coming
 * back finds the same devices, and "New job" on the Monitor can target exactly those shown.
 */
let current: DeviceFilter = NO_FILTER;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentDeviceFilter(): DeviceFilter {
  return current;
}

export function setDeviceFilter(next: DeviceFilter | ((filter: DeviceFilter) => DeviceFilter)) {
  const value = typeof next === 'function' ? next(current) : next;
  if (value === current) return;
  current = value;
  for (const listener of listeners) listener();
}

export function useDeviceFilter(): DeviceFilter {
  return useSyncExternalStore(subscribe, currentDeviceFilter);
}

export function isFiltering(filter: DeviceFilter): boolean {
  return (
    filter.query.trim() !== '' ||
    filter.profileId !== '' ||
    filter.state !== 'any' ||
    filter.online !== 'any'
  );
}
