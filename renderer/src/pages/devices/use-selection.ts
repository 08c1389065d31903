import { useCallback, useLayoutEffect, useRef, useState } from 'react';

/**
 * Checkbox selection over the rows shown, by id (it survives sorting and filtering): a click
 * toggles one row, shift-click sets every row from the last one clicked to this one to the same
 * state, and "select all" takes every row shown (or clears them).
 */
export function useSelection(shown: readonly { id: string }[]) {
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  const anchor = useRef<number | null>(null);
  const rows = useRef(shown);
  useLayoutEffect(() => {
    rows.current = shown;
  }, [shown]);

  const toggle = useCallback((index: number, shift: boolean) => {
    const list = rows.current;
    const row = list[index];
    if (!row) return;
    setIds((previous) => {
      const next = new Set(previous);
      const select = !previous.has(row.id);
      const from = shift && anchor.current !== null ? Math.min(anchor.current, index) : index;
      const to = shift && anchor.current !== null ? Math.max(anchor.current, index) : index;
      for (let i = from; i <= to; i++) {
        const id = list[i]?.id;
        if (id === undefined) continue;
        if (select) next.add(id);
        else next.delete(id);
      }
      return next;
    });
    anchor.current = index;
  }, []);

  const toggleAll = useCallback((select: boolean) => {
    setIds((previous) => {
      const next = new Set(previous);
      for (const row of rows.current) {
        if (select) next.add(row.id);
        else next.delete(row.id);
      }
      return next;
    });
  }, []);

  const clear = useCallback(() => {
    setIds(new Set());
    anchor.current = null;
  }, []);

  return { ids, toggle, toggleAll, clear };
}
