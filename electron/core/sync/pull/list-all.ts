import type { Page } from '../cloud-types';

/** Safety bound: a server that always says hasNext must not keep a pull going forever. */
const MAX_PAGES = 100_000;

/**
 * Every item of a paged list. Offset paging can show an item twice when the list changes
 * between pages; items are keyed by id, so it is listed once.
 */
export async function listAll<T extends { id: { id: string } }>(
  fetchPage: (page: number) => Promise<Page<T>>,
  onPage?: (seen: number, total: number | null) => void,
): Promise<T[]> {
  const seen = new Map<string, T>();
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await fetchPage(page);
    for (const item of result.data) seen.set(item.id.id, item);
    onPage?.(seen.size, result.totalElements ?? null);
    if (!result.hasNext || result.data.length === 0) break;
  }
  return [...seen.values()];
}
