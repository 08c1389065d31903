import { memo } from 'react';
import type { Device, OtaSlot } from '../../../../shared/api/entities';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { SortHeader } from '../../components/SortHeader';
import { StateBadge } from '../../components/StateBadge';
import { VirtualTableBody } from '../../components/VirtualTableBody';
import { TableScroll } from '../../components/TableScroll';
import { formatAgo, formatBytes, formatFullDateTime } from '../../lib/format';
import type { Sort } from '../../lib/sorting';
import { useVirtualRows } from '../../lib/use-virtual-rows';
import { shownUpdate, type DeviceColumn } from './device-filter';

export const DEVICE_ROW_HEIGHT = 56;

/**
 * The fleet, virtualised: only the rows in view (plus a margin) exist in the DOM, so 10,000
 * devices cost what 30 do. Spacer rows above and below keep the scrollbar true.
 */
export function DeviceTable({
  devices,
  total,
  sort,
  onSort,
  onEdit,
  now,
}: {
  devices: readonly Device[];
  total: number;
  sort: Sort<DeviceColumn>;
  onSort: (column: DeviceColumn) => void;
  onEdit: (device: Device) => void;
  now: number;
}) {
  const { scrollRef, rows } = useVirtualRows(devices.length, DEVICE_ROW_HEIGHT, 12);

  return (
    <TableScroll
      ref={scrollRef}
      className="table-virtual"
      label={`Devices table, ${devices.length} of ${total} devices`}
    >
      <table className="data-table device-table" aria-rowcount={devices.length + 1}>
        <colgroup>
          <col className="col-name" />
          <col className="col-profile" />
          <col className="col-online" />
          <col className="col-version" />
          <col className="col-version" />
          <col className="col-state" />
          <col className="col-seen" />
          <col className="col-actions" />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            <SortHeader label="Name" column="name" sort={sort} onSort={onSort} />
            <SortHeader label="Device profile" column="profile" sort={sort} onSort={onSort} />
            <SortHeader label="Online" column="online" sort={sort} onSort={onSort} />
            <SortHeader label="Firmware" column="firmware" sort={sort} onSort={onSort} />
            <SortHeader label="Software" column="software" sort={sort} onSort={onSort} />
            <SortHeader label="OTA state" column="state" sort={sort} onSort={onSort} />
            <SortHeader label="Last seen" column="lastSeen" sort={sort} onSort={onSort} />
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <VirtualTableBody
          rows={rows}
          columnCount={8}
          renderRow={(index) => {
            const device = devices[index];
            return device ? (
              <DeviceRow
                key={device.id}
                device={device}
                rowIndex={index + 2}
                onEdit={onEdit}
                now={now}
              />
            ) : null;
          }}
        />
      </table>
    </TableScroll>
  );
}

const DeviceRow = memo(function DeviceRow({
  device,
  rowIndex,
  onEdit,
  now,
}: {
  device: Device;
  rowIndex: number;
  onEdit: (device: Device) => void;
  now: number;
}) {
  const update = shownUpdate(device);
  return (
    <tr aria-rowindex={rowIndex} className="device-row">
      <th scope="row">
        <span className="cell-stack">
          <span className="cell-strong mono truncate" title={device.name}>
            {device.name}
          </span>
          {device.label && (
            <span className="cell-sub truncate" title={device.label}>
              {device.label}
            </span>
          )}
        </span>
      </th>
      <td>
        <span className="truncate" title={device.profileName}>
          {device.profileName}
        </span>
      </td>
      <td>
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
      </td>
      <td>
        <SlotVersions slot={device.firmware} />
      </td>
      <td>
        <SlotVersions slot={device.software} />
      </td>
      <td>
        {update ? (
          <span className="cell-stack">
            <StateBadge
              state={update.slot.state}
              title={
                update.slot.error ??
                `${update.type === 'FIRMWARE' ? 'Firmware' : 'Software'} update`
              }
            />
            {update.slot.size > 0 && update.slot.state !== 'UPDATED' && (
              <ProgressBar
                percent={
                  (Math.min(update.slot.bytesServed, update.slot.size) / update.slot.size) * 100
                }
                label={`Download of ${update.slot.assignedTitle ?? ''} ${update.slot.assignedVersion ?? ''} to ${device.name}`}
                tone={
                  update.slot.state === 'FAILED' || update.slot.state === 'TIMED_OUT'
                    ? 'failed'
                    : 'normal'
                }
                text={`${formatBytes(update.slot.bytesServed)} / ${formatBytes(update.slot.size)}`}
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
        <button
          type="button"
          className="button button-small"
          onClick={() => onEdit(device)}
          aria-label={`Edit ${device.name}`}
        >
          <Icon name="edit" />
          Edit
        </button>
      </td>
    </tr>
  );
});

/** Current version on top; the assigned one under it when it differs (or isn't installed yet). */
function SlotVersions({ slot }: { slot: OtaSlot }) {
  const current =
    slot.currentTitle || slot.currentVersion
      ? `${slot.currentTitle ?? ''} ${slot.currentVersion ?? ''}`.trim()
      : null;
  const assigned = slot.assignedPackageId
    ? `${slot.assignedTitle ?? ''} ${slot.assignedVersion ?? ''}`.trim()
    : null;
  const inSync = assigned !== null && assigned === current;
  return (
    <span className="cell-stack">
      <span
        className={`mono truncate${current ? '' : ' muted'}`}
        title={current ? `Current: ${current}` : 'Not reported'}
      >
        {current ?? '—'}
      </span>
      {assigned && !inSync && (
        <span className="cell-sub assigned truncate" title={`Assigned: ${assigned}`}>
          <span className="sr-only">Assigned: </span>
          <span aria-hidden="true">→ </span>
          <span className="mono">{assigned}</span>
        </span>
      )}
    </span>
  );
}
