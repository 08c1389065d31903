import { memo, type MouseEvent, useEffect, useRef } from 'react';

import type { Device, Execution, OtaSlot } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { MiddleText } from '../../components/MiddleText';
import { ProgressBar } from '../../components/ProgressBar';
import { StateBadge } from '../../components/StateBadge';
import { type Column, TableHead } from '../../components/TableHead';
import { TableScroll } from '../../components/TableScroll';
import { VirtualTableBody } from '../../components/VirtualTableBody';
import { errorSourceLabel, failedAttempts } from '../../lib/attempts';
import { formatAgo, formatBytes, formatFullDateTime } from '../../lib/format';
import type { Sort } from '../../lib/sorting';
import { transportLabel } from '../../lib/transport';
import { useVirtualRows } from '../../lib/use-virtual-rows';
import { type DeviceColumn, shownUpdate } from './device-filter';
import { assignedVersionOf, currentVersionOf } from './slot-versions';

export type RowDensity = 'comfortable' | 'compact';

export const DEVICE_ROW_HEIGHT: Record<RowDensity, number> = { comfortable: 56, compact: 34 };

const COLUMNS: readonly Column<DeviceColumn>[] = [
  { label: 'Name', sortKey: 'name', width: 'col-name' },
  { label: 'Device profile', sortKey: 'profile', width: 'col-profile' },
  { label: 'Online', sortKey: 'online', width: 'col-online' },
  { label: 'Firmware', sortKey: 'firmware', width: 'col-version' },
  { label: 'Software', sortKey: 'software', width: 'col-version' },
  { label: 'OTA state', sortKey: 'state', width: 'col-state' },
  { label: 'Last seen', sortKey: 'lastSeen', width: 'col-seen' },
  { label: 'Actions', hidden: true, width: 'col-device-actions' },
];

export interface DeviceRowActions {
  /** Checkbox of the row at this index of the shown list; shift extends from the last one. */
  onToggle: (index: number, shift: boolean) => void;
  onDetails: (device: Device) => void;
  onEdit: (device: Device) => void;
  onUpdate: (device: Device) => void;
  onRetry: (device: Device, executionId: string) => void;
}

/**
 * The fleet, virtualised: only the rows in view (plus a margin) exist in the DOM, so 10,000
 * devices cost what 30 do. Spacer rows above and below keep the scrollbar true. A row's update
 * figures come from its update itself (the same record the Monitor and the header read).
 */
export function DeviceTable({
  devices,
  total,
  sort,
  onSort,
  density,
  selected,
  onToggleAll,
  executionsById,
  actions,
  now,
}: {
  devices: readonly Device[];
  total: number;
  sort: Sort<DeviceColumn>;
  onSort: (column: DeviceColumn) => void;
  density: RowDensity;
  selected: ReadonlySet<string>;
  onToggleAll: (select: boolean) => void;
  executionsById: ReadonlyMap<string, Execution>;
  actions: DeviceRowActions;
  now: number;
}) {
  const { scrollRef, rows } = useVirtualRows(devices.length, DEVICE_ROW_HEIGHT[density], 12);
  let selectedShown = 0;
  if (selected.size > 0) for (const d of devices) if (selected.has(d.id)) selectedShown += 1;
  const all = selectedShown > 0 && selectedShown === devices.length;

  return (
    <TableScroll
      ref={scrollRef}
      className={`table-virtual density-${density}`}
      label={`Devices table, ${devices.length} of ${total} devices`}
    >
      <table className="data-table device-table" aria-rowcount={devices.length + 1}>
        <TableHead
          columns={[
            {
              label: 'Select all',
              className: 'check-cell',
              width: 'col-check',
              content: (
                <SelectAll
                  all={all}
                  some={selectedShown > 0 && !all}
                  count={devices.length}
                  onChange={onToggleAll}
                />
              ),
            },
            ...COLUMNS,
          ]}
          sort={sort}
          onSort={onSort}
          rowIndex={1}
        />
        <VirtualTableBody
          rows={rows}
          columnCount={9}
          renderRow={(index) => {
            const device = devices[index];
            if (!device) return null;
            const update = shownUpdate(device);
            const execution = update?.slot.executionId
              ? executionsById.get(update.slot.executionId)
              : undefined;
            return (
              <DeviceRow
                key={device.id}
                device={device}
                index={index}
                execution={execution}
                selected={selected.has(device.id)}
                compact={density === 'compact'}
                actions={actions}
                now={now}
              />
            );
          }}
        />
      </table>
    </TableScroll>
  );
}

function SelectAll({
  all,
  some,
  count,
  onChange,
}: {
  all: boolean;
  some: boolean;
  count: number;
  onChange: (select: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some;
  }, [some]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="row-check"
      checked={all}
      aria-label={`Select all ${count.toLocaleString('en-US')} devices shown`}
      onChange={(e) => onChange(e.target.checked)}
    />
  );
}

const DeviceRow = memo(function DeviceRow({
  device,
  index,
  execution,
  selected,
  compact,
  actions,
  now,
}: {
  device: Device;
  index: number;
  execution: Execution | undefined;
  selected: boolean;
  compact: boolean;
  actions: DeviceRowActions;
  now: number;
}) {
  const update = shownUpdate(device);
  // The update's own record when the page has it (it moves with every byte batch); the device's
  // copy of it otherwise.
  const slot = update?.slot;
  const state = execution?.state ?? slot?.state ?? null;
  const size = execution?.size ?? slot?.size ?? 0;
  const served = Math.min(execution?.bytesServed ?? slot?.bytesServed ?? 0, size);
  const failed = state === 'FAILED' || state === 'TIMED_OUT';
  const errors = execution ? failedAttempts(execution) : null;
  const errorTitle = errors?.last
    ? `${errorSourceLabel(errors.last)}: ${errors.last.error ?? ''}`
    : (slot?.error ?? undefined);
  const onCheck = (e: MouseEvent<HTMLInputElement>) => actions.onToggle(index, e.shiftKey);
  return (
    <tr
      aria-rowindex={index + 2}
      aria-selected={selected}
      className={selected ? 'device-row row-selected' : 'device-row'}
    >
      <td className="check-cell">
        <input
          type="checkbox"
          className="row-check"
          checked={selected}
          onClick={onCheck}
          onChange={() => undefined}
          aria-label={`Select ${device.name}`}
        />
      </td>
      <th scope="row">
        <span className="cell-stack">
          <button
            type="button"
            className="link-button"
            onClick={() => actions.onDetails(device)}
            aria-label={`Details of ${device.name}`}
          >
            <MiddleText className="cell-strong mono" text={device.name} />
          </button>
          {device.label && !compact && (
            <span className="cell-sub truncate" title={device.label}>
              {device.label}
            </span>
          )}
        </span>
      </th>
      <td>
        <MiddleText text={device.profileName} />
      </td>
      <td>
        <span className={compact ? 'cell-inline' : 'cell-stack'}>
          {device.online ? (
            <span className="online-yes">
              <Icon name="online" />
              Online
            </span>
          ) : (
            <span className="online-no">
              <Icon name="offline" />
              Offline
            </span>
          )}
          {device.lastTransport && (
            <span
              className="cell-sub"
              title={`Last reached the station over ${transportLabel(device.lastTransport)}`}
            >
              {transportLabel(device.lastTransport)}
            </span>
          )}
        </span>
      </td>
      <td>
        <SlotVersions slot={device.firmware} profileName={device.profileName} compact={compact} />
      </td>
      <td>
        <SlotVersions slot={device.software} profileName={device.profileName} compact={compact} />
      </td>
      <td>
        {update ? (
          <span className={compact ? 'cell-inline' : 'cell-stack'}>
            <StateBadge
              state={state}
              title={errorTitle ?? `${update.type === 'FIRMWARE' ? 'Firmware' : 'Software'} update`}
            />
            {size > 0 && state !== 'UPDATED' && (
              <ProgressBar
                percent={(served / size) * 100}
                label={`Download of ${slot?.assignedTitle ?? ''} ${slot?.assignedVersion ?? ''} to ${device.name}`}
                tone={failed ? 'failed' : 'normal'}
                text={`${formatBytes(served)} / ${formatBytes(size)}`}
              />
            )}
          </span>
        ) : (
          <StateBadge state={null} />
        )}
      </td>
      <td title={device.lastSeenAt ? formatFullDateTime(device.lastSeenAt) : 'Never connected'}>
        {device.online ? 'now' : formatAgo(device.lastSeenAt, now)}
      </td>
      <td className="row-actions">
        <span className="device-actions">
          <Button
            small
            onClick={() => actions.onUpdate(device)}
            aria-label={`Update ${device.name}…`}
          >
            Update…
          </Button>
          {failed && slot?.executionId && (
            <Button
              small
              icon="refresh"
              onClick={() => actions.onRetry(device, slot.executionId as string)}
              aria-label={`Retry the update of ${device.name}`}
            >
              Retry
            </Button>
          )}
          <Button
            small
            icon="edit"
            onClick={() => actions.onEdit(device)}
            aria-label={`Edit ${device.name}`}
          >
            Edit
          </Button>
        </span>
      </td>
    </tr>
  );
});

/**
 * Current version on top; under it the assigned one when it differs (or isn't installed yet),
 * and "from profile" when the device gets its profile's package rather than one of its own.
 */
function SlotVersions({
  slot,
  profileName,
  compact,
}: {
  slot: OtaSlot;
  profileName: string;
  compact: boolean;
}) {
  const current = currentVersionOf(slot);
  const assigned = assignedVersionOf(slot);
  const inSync = assigned !== null && assigned === current;
  const fromProfile = slot.assignedFrom === 'PROFILE';
  const source = fromProfile ? ` from profile ${profileName}` : '';
  const assignedTitle = assigned && `Assigned: ${assigned}${source}`;
  return (
    <span className="cell-stack">
      {current ? (
        <MiddleText
          className="mono"
          text={current}
          title={`Current: ${current}${assignedTitle && (!inSync || fromProfile) ? ` · ${assignedTitle}` : ''}`}
        />
      ) : (
        <span className="mono muted" title="Not reported">
          —
        </span>
      )}
      {assigned && (!inSync || fromProfile) && !compact && (
        <span className="cell-sub assigned" title={assignedTitle ?? undefined}>
          <span className="sr-only">{inSync ? 'Assigned' : 'Assigned: '}</span>
          {!inSync && (
            <>
              <span aria-hidden="true">→ </span>
              <MiddleText className="mono" text={assigned} />
            </>
          )}
          {fromProfile && <span className="assigned-source"> from profile</span>}
        </span>
      )}
    </span>
  );
}
