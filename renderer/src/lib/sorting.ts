import { useState } from 'react';

export type SortDirection = 'ascending' | 'descending';
export interface Sort<K extends string> {
  key: K;
  direction: SortDirection;
}

/** Clicking the sorted column flips it; another column sorts ascending first. */
export function useSort<K extends string>(initial: Sort<K>) {
  const [sort, setSort] = useState(initial);
  const toggle = (key: K) =>
    setSort((current) =>
      current.key === key
        ? { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
        : { key, direction: 'ascending' },
    );
  return [sort, toggle] as const;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

export function sortBy<T>(
  items: readonly T[],
  valueOf: (item: T) => string | number | null,
  direction: SortDirection,
): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  // Read each key once: comparators run n·log n times.
  const keyed = items.map((item) => ({ item, key: valueOf(item) }));
  keyed.sort((x, y) => sign * compareValues(x.key, y.key));
  return keyed.map((entry) => entry.item);
}
