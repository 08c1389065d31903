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

/**
 * Natural order ("dev-9" before "dev-10"), case-insensitive, through a comparable key: plain
 * string comparison of cached keys is several times cheaper than Intl.Collator, which matters
 * when 10,000 devices are re-sorted on every live batch.
 */
const naturalKeys = new Map<string, string>();
const MAX_CACHED_KEYS = 100_000;

function naturalKey(text: string): string {
  let key = naturalKeys.get(text);
  if (key === undefined) {
    key = text.toLowerCase().replace(/\d+/g, (digits) => digits.padStart(16, '0'));
    if (naturalKeys.size >= MAX_CACHED_KEYS) naturalKeys.clear();
    naturalKeys.set(text, key);
  }
  return key;
}

export function compareValues(a: string | number | null, b: string | number | null): number {
  return compareKeys(sortKey(a), sortKey(b));
}

function sortKey(value: string | number | null): string | number | null {
  return typeof value === 'string' ? naturalKey(value) : value;
}

function compareKeys(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

export function sortBy<T>(
  items: readonly T[],
  valueOf: (item: T) => string | number | null,
  direction: SortDirection,
): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  // Read each key once: comparators run n·log n times.
  const keyed = items.map((item) => ({ item, key: sortKey(valueOf(item)) }));
  keyed.sort((x, y) => sign * compareKeys(x.key, y.key));
  return keyed.map((entry) => entry.item);
}
