import { useVirtualizer, type VirtualItem } from '@tanstack/react-virtual';
import { type RefObject, useRef } from 'react';

export interface VirtualRows {
  /** The rows in view plus the overscan margin: the only ones put in the DOM. */
  items: VirtualItem[];
  /** Height of the rows not rendered above and below, kept as spacers so the scrollbar stays true. */
  before: number;
  after: number;
}

/** Which rows of a long table to render, so 10,000 rows cost what fits on screen. */
export function useVirtualRows(
  count: number,
  rowHeight: number,
  overscan: number,
): {
  /** Goes on the scrolling element around the table. */
  scrollRef: RefObject<HTMLDivElement | null>;
  rows: VirtualRows;
} {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualiser's functions are read during render only, by design
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan,
  });
  const items = virtualizer.getVirtualItems();
  const before = items[0]?.start ?? 0;
  const after = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  return { scrollRef, rows: { items, before, after } };
}
