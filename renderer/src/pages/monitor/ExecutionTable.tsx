import { memo } from 'react';

import type { Execution } from '../../../../shared/api/entities';
import { FINAL_STATES } from '../../../../shared/protocol/states';
import { MiddleText } from '../../components/MiddleText';
import { ProgressBar } from '../../components/ProgressBar';
import { StateBadge } from '../../components/StateBadge';
import { type Column, TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import { VirtualTableBody } from '../../components/VirtualTableBody';
import { errorSourceLabel, failedAttempts } from '../../lib/attempts';
import { executionFigures, stallAdvice } from '../../lib/execution-progress';
import { formatBytes, formatClock, formatDuration, formatSpeed } from '../../lib/format';
import type { Sort } from '../../lib/sorting';
import { useVirtualRows } from '../../lib/use-virtual-rows';
import { PACKAGE_TYPE_LABEL } from '../packages/PackageTypeField';
import type { ExecutionColumn } from './execution-order';

const ROW_HEIGHT = 52;

const COLUMNS: readonly Column<ExecutionColumn>[] = [
  { label: 'Device', sortKey: 'device', width: 'col-name' },
  { label: 'Package', sortKey: 'package', width: 'col-package' },
  { label: 'State', sortKey: 'state', width: 'col-exec-state' },
  { label: 'Bytes served', sortKey: 'bytes', width: 'col-progress' },
  { label: 'Speed', sortKey: 'speed', className: 'num optional', width: 'col-figure optional' },
  { label: 'Elapsed', sortKey: 'elapsed', className: 'num', width: 'col-figure' },
  { label: 'ETA', sortKey: 'eta', className: 'num optional', width: 'col-figure optional' },
  {
    label: 'Started',
    sortKey: 'started',
    className: 'num optional wide-only',
    width: 'col-figure optional wide-only',
  },
];

/** Virtualised like the device table: a thousand live updates render what fits on screen. */
export function ExecutionTable({
  executions,
  sort,
  onSort,
  now,
  selectedId,
  onSelect,
}: {
  executions: readonly Execution[];
  sort: Sort<ExecutionColumn>;
  onSort: (column: ExecutionColumn) => void;
  now: number;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const { scrollRef, rows } = useVirtualRows(executions.length, ROW_HEIGHT, 10);

  return (
    <TableScroll
      ref={scrollRef}
      className="table-virtual"
      label={`Updates table, ${executions.length} updates`}
    >
      <table className="data-table execution-table" aria-rowcount={executions.length + 1}>
        <TableHead columns={COLUMNS} sort={sort} onSort={onSort} rowIndex={1} />
        <VirtualTableBody
          rows={rows}
          columnCount={8}
          renderRow={(index) => {
            const execution = executions[index];
            return execution ? (
              <ExecutionRow
                key={execution.id}
                execution={execution}
                rowIndex={index + 2}
                // Finished rows don't tick: their figures are fixed.
                now={FINAL_STATES.has(execution.state) ? 0 : now}
                selected={execution.id === selectedId}
                onSelect={onSelect}
              />
            ) : null;
          }}
        />
      </table>
    </TableScroll>
  );
}

const ExecutionRow = memo(function ExecutionRow({
  execution,
  rowIndex,
  now,
  selected,
  onSelect,
}: {
  execution: Execution;
  rowIndex: number;
  now: number;
  selected: boolean;
  onSelect: (id: string) => void;
}) {
  const figures = executionFigures(execution, now || execution.updatedAt);
  const failed = execution.state === 'FAILED' || execution.state === 'TIMED_OUT';
  const name = `${execution.packageTitle} ${execution.packageVersion}`;
  return (
    <tr aria-rowindex={rowIndex} className={selected ? 'row-selected' : undefined}>
      <th scope="row">
        {/* The name opens the update's details, as a device's name does on Devices. */}
        <button
          type="button"
          className="link-button"
          aria-pressed={selected}
          aria-label={`Details of ${execution.deviceName} ${name}`}
          onClick={() => onSelect(execution.id)}
        >
          <MiddleText className="cell-strong mono" text={execution.deviceName} />
        </button>
      </th>
      <td>
        <span className="cell-stack">
          <MiddleText text={name} />
          <span className="cell-sub">{PACKAGE_TYPE_LABEL[execution.type]}</span>
        </span>
      </td>
      <td>
        <span className="cell-stack">
          <StateBadge state={execution.state} />
          <RowErrors execution={execution} />
          {figures.stalledMs !== null && (
            <span
              className="cell-sub warning truncate"
              title={stallAdvice(execution, figures.stalledMs)}
            >
              No progress for {formatDuration(figures.stalledMs)}
            </span>
          )}
        </span>
      </td>
      <td>
        <span className="cell-stack">
          <ProgressBar
            percent={figures.percent}
            label={`${name} to ${execution.deviceName}`}
            tone={failed ? 'failed' : execution.state === 'UPDATED' ? 'done' : 'normal'}
            text={`${formatBytes(Math.min(execution.bytesServed, execution.size))} / ${formatBytes(execution.size)}`}
          />
          {/* Under the bar, not after its figure: at 1024 the figure fills the column. */}
          {execution.attemptLog.length > 1 && (
            <span className="cell-sub">attempt {execution.attemptLog.length}</span>
          )}
        </span>
      </td>
      <td className="num optional">{formatSpeed(figures.bytesPerSecond)}</td>
      <td className="num">{formatDuration(figures.elapsedMs)}</td>
      <td className="num optional">
        {figures.etaMs === null ? '—' : formatDuration(figures.etaMs)}
      </td>
      <td className="num mono optional wide-only">{formatClock(execution.createdAt)}</td>
    </tr>
  );
});

/** The first error and, after retries, the last one: each with whose word it is. */
function RowErrors({ execution }: { execution: Execution }) {
  const { first, last, count } = failedAttempts(execution);
  if (!first || !last) return null;
  const line = (prefix: string, attempt: typeof first) => {
    const text = `${prefix}${errorSourceLabel(attempt)}: ${attempt.error ?? ''}`;
    return (
      <span className="cell-sub error-text truncate row-error" title={text}>
        {text}
      </span>
    );
  };
  return count > 1 ? (
    <>
      {line(`1st of ${count} · `, first)}
      {line('Last · ', last)}
    </>
  ) : (
    line('', first)
  );
}
