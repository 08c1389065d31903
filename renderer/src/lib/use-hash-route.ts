import { useSyncExternalStore } from 'react';

import type { PageName } from '../components/Navigation';

const PAGE_NAMES: readonly PageName[] = ['packages', 'devices', 'monitor', 'station', 'sync'];

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** The page in the address (#/devices), so reloads and the back button keep the place. */
export function currentPage(): PageName {
  const name = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (PAGE_NAMES as readonly string[]).includes(name) ? (name as PageName) : 'packages';
}

export function useHashRoute(): PageName {
  return useSyncExternalStore(subscribe, currentPage);
}

export function goTo(page: PageName): void {
  window.location.hash = `#/${page}`;
}
