import type { ReactNode } from 'react';

import type { VirtualRows } from '../lib/use-virtual-rows';

/**
 * The body of a virtualised table: the rendered rows between two spacer rows that stand in
 * for the ones scrolled away (hidden from assistive technology; aria-rowindex says where we are).
 */
export function VirtualTableBody({
  rows,
  columnCount,
  renderRow,
}: {
  rows: VirtualRows;
  columnCount: number;
  /** The row at this index of the full list, with its key; null for none. */
  renderRow: (index: number) => ReactNode;
}) {
  return (
    <tbody>
      {rows.before > 0 && <SpacerRow height={rows.before} columnCount={columnCount} />}
      {rows.items.map((item) => renderRow(item.index))}
      {rows.after > 0 && <SpacerRow height={rows.after} columnCount={columnCount} />}
    </tbody>
  );
}

function SpacerRow({ height, columnCount }: { height: number; columnCount: number }) {
  return (
    <tr className="spacer" aria-hidden="true">
      <td colSpan={columnCount} style={{ height }} />
    </tr>
  );
}
