import { createContext, useContext, useSyncExternalStore } from 'react';

import type { StationTransport } from '../api/transport';
import type { SliceName, StationSnapshot, StationStore } from './station-store';

export interface StationContextValue {
  store: StationStore;
  api: StationTransport;
}

export const StationContext = createContext<StationContextValue | null>(null);

export function useStation(): StationContextValue {
  const value = useContext(StationContext);
  if (!value) throw new Error('useStation outside <StationContext>');
  return value;
}

/** One slice of the station's state; the component re-renders only when that slice changes. */
export function useSlice<K extends SliceName>(name: K): StationSnapshot[K] {
  const { store } = useStation();
  return useSyncExternalStore(store.subscribe, () => store.getSnapshot()[name]);
}
