import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import type { Device } from '../../../../shared/api/entities';
import { OTA_STATES } from '../../../../shared/protocol/states';
import { EmptyState } from '../../components/EmptyState';
import { Field } from '../../components/Field';
import { SearchField } from '../../components/SearchField';
import { Icon } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { formatCount } from '../../lib/format';
import { useSort } from '../../lib/sorting';
import { useNow } from '../../lib/use-now';
import { useSlice } from '../../state/store-context';
import { AddDeviceDialog } from './AddDeviceDialog';
import { AssignToManyDialog } from './AssignToManyDialog';
import { DeviceTable } from './DeviceTable';
import {
  filterDevices,
  NO_FILTER,
  sortDevices,
  type DeviceColumn,
  type DeviceFilter,
  type OnlineFilter,
  type StateFilter,
} from './device-filter';
import { setDeviceFilter as setFilter, useDeviceFilter } from './device-filter-state';
import { EditDeviceDialog } from './EditDeviceDialog';
import { ImportDevicesDialog } from './ImportDevicesDialog';

type OpenDialog =
  { kind: 'add' } | { kind: 'import' } | { kind: 'assign' } | { kind: 'edit'; deviceId: string };

export function DevicesPage() {
  const devices = useSlice('devices');
  const profiles = useSlice('profiles');
  const loaded = useSlice('loaded');
  const now = useNow(30_000);
  const filter = useDeviceFilter();
  const [sort, toggleSort] = useSort<DeviceColumn>({ key: 'name', direction: 'ascending' });
  const [dialog, setDialog] = useState<OpenDialog | null>(null);
  // Typing stays instant; the 10,000-row filter catches up a frame later.
  const deferredFilter = useDeferredValue(filter);
  const deferredDevices = useDeferredValue(devices);
  const filtered = useMemo(
    () => filterDevices(deferredDevices, deferredFilter),
    [deferredDevices, deferredFilter],
  );
  const shown = useMemo(() => sortDevices(filtered, sort), [filtered, sort]);
  const onEdit = useCallback(
    (device: Device) => setDialog({ kind: 'edit', deviceId: device.id }),
    [],
  );
  const close = useCallback(() => setDialog(null), []);
  const update = (part: Partial<DeviceFilter>) => setFilter((f) => ({ ...f, ...part }));
  const filtering =
    filter.query !== '' ||
    filter.profileId !== '' ||
    filter.state !== 'any' ||
    filter.online !== 'any';

  const addButton = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => setDialog({ kind: 'add' })}
    >
      <Icon name="plus" />
      Add device
    </button>
  );

  return (
    <>
      <PageHeader
        title="Devices"
        description="The site's devices, live: what they run, what is assigned, and how their update goes."
        actions={
          <>
            <button type="button" className="button" onClick={() => setDialog({ kind: 'import' })}>
              <Icon name="upload" />
              Import CSV
            </button>
            {addButton}
          </>
        }
      />
      {!loaded ? (
        <p className="loading-line">Loading devices…</p>
      ) : devices.length === 0 ? (
        <EmptyState icon="devices" title="No devices yet" action={addButton}>
          Add each device with its name and device profile (or import a CSV list). A device connects
          with its access token, then you can assign it firmware.
        </EmptyState>
      ) : (
        <>
          <div className="toolbar" role="search">
            <SearchField
              label="Search devices"
              className="toolbar-search"
              placeholder="Name, label, version…"
              value={filter.query}
              onChange={(query) => update({ query })}
            />
            <Field label="Device profile">
              {(props) => (
                <select
                  {...props}
                  value={filter.profileId}
                  onChange={(e) => update({ profileId: e.target.value })}
                >
                  <option value="">All profiles</option>
                  {profiles.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="OTA state">
              {(props) => (
                <select
                  {...props}
                  value={filter.state}
                  onChange={(e) => update({ state: e.target.value as StateFilter })}
                >
                  <option value="any">Any state</option>
                  <option value="active">Updating now</option>
                  <option value="none">No update</option>
                  {OTA_STATES.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Connection">
              {(props) => (
                <select
                  {...props}
                  value={filter.online}
                  onChange={(e) => update({ online: e.target.value as OnlineFilter })}
                >
                  <option value="any">Online and offline</option>
                  <option value="online">Online</option>
                  <option value="offline">Offline</option>
                </select>
              )}
            </Field>
            <div className="toolbar-end">
              <p className="result-count" aria-live="polite">
                {filtering
                  ? `${shown.length.toLocaleString('en-US')} of ${formatCount(devices.length, 'device')}`
                  : formatCount(devices.length, 'device')}
              </p>
              {filtering && (
                <button
                  type="button"
                  className="button button-quiet"
                  onClick={() => setFilter(NO_FILTER)}
                >
                  Clear filters
                </button>
              )}
              <button
                type="button"
                className="button"
                onClick={() => setDialog({ kind: 'assign' })}
                disabled={shown.length === 0}
              >
                <Icon name="package" />
                Assign firmware…
              </button>
            </div>
          </div>
          {shown.length === 0 ? (
            <EmptyState
              icon="search"
              title="No device matches"
              action={
                <button type="button" className="button" onClick={() => setFilter(NO_FILTER)}>
                  Clear filters
                </button>
              }
            >
              Nothing matches the search and filters above.
            </EmptyState>
          ) : (
            <DeviceTable
              devices={shown}
              total={devices.length}
              sort={sort}
              onSort={toggleSort}
              onEdit={onEdit}
              now={now}
            />
          )}
        </>
      )}
      {dialog?.kind === 'add' && <AddDeviceDialog onClose={close} />}
      {dialog?.kind === 'import' && <ImportDevicesDialog onClose={close} />}
      {dialog?.kind === 'assign' && <AssignToManyDialog devices={shown} onClose={close} />}
      {dialog?.kind === 'edit' && <EditDeviceDialog deviceId={dialog.deviceId} onClose={close} />}
    </>
  );
}
