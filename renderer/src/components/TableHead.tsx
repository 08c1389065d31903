import type { ReactNode } from 'react';

import type { Sort } from '../lib/sorting';
import { SortHeader } from './SortHeader';

/** One column of a table, declared once: its header, and how it sorts and how wide it is. */
export interface Column<K extends string = string> {
  label: string;
  /** The column sorts the table by this key (a button in its header). */
  sortKey?: K;
  /** On the header cell. */
  className?: string;
  /** The width class of its <col>; a table whose columns have one gets a <colgroup>. */
  width?: string;
  /** The label is for screen readers only (a row's buttons). */
  hidden?: boolean;
  /** What the header shows instead of its label (the select-all checkbox). */
  content?: ReactNode;
}

/**
 * A table's column widths and header row from its column list: a plain column is a <th>, a
 * sorting one a SortHeader. A plain string is a plain column with that label.
 */
export function TableHead<K extends string>({
  columns,
  sort,
  onSort,
  rowIndex,
}: {
  columns: readonly (Column<K> | string)[];
  sort?: Sort<K>;
  onSort?: (key: K) => void;
  /** The header row's aria-rowindex, in a virtualised table. */
  rowIndex?: number;
}) {
  const all = columns.map((c) => (typeof c === 'string' ? { label: c } : c));
  const widths = all.some((c) => c.width !== undefined);
  return (
    <>
      {widths && (
        <colgroup>
          {all.map((c, i) => (
            <col key={i} className={c.width} />
          ))}
        </colgroup>
      )}
      <thead>
        <tr aria-rowindex={rowIndex}>
          {all.map((c) =>
            c.sortKey !== undefined && sort && onSort ? (
              <SortHeader
                key={c.label}
                label={c.label}
                column={c.sortKey}
                sort={sort}
                onSort={onSort}
                className={c.className}
              />
            ) : (
              <th key={c.label} scope="col" className={c.className}>
                {c.content ?? (c.hidden ? <span className="sr-only">{c.label}</span> : c.label)}
              </th>
            ),
          )}
        </tr>
      </thead>
    </>
  );
}
