import { useCallback, useDeferredValue, useMemo, useState } from 'react';

import type { Device } from '../../../../shared/api/entities';
import { OTA_STATES } from '../../../../shared/protocol/states';
import { messageOf } from '../../api/validate-input';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { ProfileOptions } from '../../components/ProfileChoice';
import { SearchField } from '../../components/SearchField';
import { SelectField } from '../../components/SelectField';
import { useNotifier } from '../../components/Toasts';
import { formatCount } from '../../lib/format';
import { runLimited } from '../../lib/run-limited';
import { useSort } from '../../lib/sorting';
import { useNow } from '../../lib/use-now';
import { useSlice } from '../../state/store-context';
import { useStation } from '../../state/store-context';
import { NewJobDialog } from '../monitor/NewJobDialog';
import { AddDeviceDialog } from './AddDeviceDialog';
import { AssignToManyDialog } from './AssignToManyDialog';
import {
  type DeviceColumn,
  type DeviceFilter,
  filterDevices,
  NO_FILTER,
  shownUpdate,
  sortDevices,
} from './device-filter';
import { setDeviceFilter as setFilter, useDeviceFilter } from './device-filter-state';
import { DeviceDrawer } from './DeviceDrawer';
import { type DeviceRowActions, DeviceTable, type RowDensity } from './DeviceTable';
import { EditDeviceDialog } from './EditDeviceDialog';
import { ImportDevicesDialog } from './ImportDevicesDialog';
import { ProfilePackagesDialog } from './ProfilePackagesDialog';
import { UnassignDialog } from './UnassignDialog';
import { UpdateDeviceDialog } from './UpdateDeviceDialog';
import { useSelection } from './use-selection';

type OpenDialog =
  | { kind: 'add' }
  | { kind: 'import' }
  | { kind: 'profiles' }
  | { kind: 'assign' }
  | { kind: 'edit'; deviceId: string }
  | { kind: 'update'; device: Device }
  | { kind: 'newJob'; deviceIds: readonly string[] }
  | { kind: 'unassign'; devices: readonly Device[] };

const DENSITY_KEY = 'field-ota.devices.density';

function savedDensity(): RowDensity {
  try {
    return localStorage.getItem(DENSITY_KEY) === 'compact' ? 'compact' : 'comfortable';
  } catch {
    return 'comfortable';
  }
}

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
  const close = useCallback(() => setDialog(null), []);
  const { api, store } = useStation();
  const { toast } = useNotifier();
  const executions = useSlice('executions');
  const executionsById = useMemo(() => new Map(executions.map((e) => [e.id, e])), [executions]);
  const [density, setDensityState] = useState<RowDensity>(savedDensity);
  const setDensity = (next: RowDensity) => {
    setDensityState(next);
    try {
      localStorage.setItem(DENSITY_KEY, next);
    } catch {
      // Not kept across reloads; the choice still holds for this visit.
    }
  };
  const [drawerId, setDrawerId] = useState<string | null>(null);
  const drawerDevice = drawerId ? (devices.find((d) => d.id === drawerId) ?? null) : null;
  const selection = useSelection(shown);

  const retry = useCallback(
    async (targets: readonly { device: Device; executionId: string }[]) => {
      let sent = 0;
      const problems: string[] = [];
      await runLimited(targets, 8, async ({ device, executionId }) => {
        try {
          store.putExecution(await api.call('executions.retry', { id: executionId }));
          sent += 1;
        } catch (error) {
          problems.push(`${device.name}: ${messageOf(error)}`);
        }
      });
      if (sent > 0) toast('success', `Update sent again to ${formatCount(sent, 'device')}`);
      if (problems.length > 0) toast('error', `Could not retry ${problems.join('; ')}`);
    },
    [api, store, toast],
  );
  const rowActions = useMemo<DeviceRowActions>(
    () => ({
      onToggle: selection.toggle,
      onDetails: (device) => setDrawerId(device.id),
      onEdit: (device) => setDialog({ kind: 'edit', deviceId: device.id }),
      onUpdate: (device) => setDialog({ kind: 'update', device }),
      onRetry: (device, executionId) => void retry([{ device, executionId }]),
    }),
    [selection.toggle, retry],
  );
  const selectedDevices = useMemo(
    () => devices.filter((d) => selection.ids.has(d.id)),
    [devices, selection.ids],
  );
  const failedSelected = selectedDevices.flatMap((device) => {
    const update = shownUpdate(device);
    const state = update?.slot.state;
    return update?.slot.executionId && (state === 'FAILED' || state === 'TIMED_OUT')
      ? [{ device, executionId: update.slot.executionId }]
      : [];
  });
  const update = (part: Partial<DeviceFilter>) => setFilter((f) => ({ ...f, ...part }));
  const filtering =
    filter.query !== '' ||
    filter.profileId !== '' ||
    filter.state !== 'any' ||
    filter.online !== 'any';

  const addButton = (
    <Button look="primary" icon="plus" onClick={() => setDialog({ kind: 'add' })}>
      Add device
    </Button>
  );

  return (
    <>
      <PageHeader
        title="Devices"
        description="The site's devices, live: what they run, what is assigned, and how their update goes."
        actions={
          <>
            {devices.length > 0 && (
              <Button
                icon="package"
                onClick={() => setDialog({ kind: 'assign' })}
                disabled={shown.length === 0}
              >
                Assign firmware…
              </Button>
            )}
            <Button icon="upload" onClick={() => setDialog({ kind: 'import' })}>
              Import CSV
            </Button>
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
            <SelectField
              label="Device profile"
              value={filter.profileId}
              onChange={(value) => update({ profileId: value })}
            >
              <option value="">All profiles</option>
              <ProfileOptions profiles={profiles} />
            </SelectField>
            {/* Beside the profile filter: a profile's own firmware and software. */}
            <Button icon="package" onClick={() => setDialog({ kind: 'profiles' })}>
              Device profiles…
            </Button>
            <SelectField
              label="OTA state"
              value={filter.state}
              onChange={(value) => update({ state: value })}
            >
              <option value="any">Any state</option>
              <option value="active">Updating now</option>
              <option value="none">No update</option>
              {OTA_STATES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </SelectField>
            <SelectField
              label="Connection"
              value={filter.online}
              onChange={(value) => update({ online: value })}
            >
              <option value="any">Online and offline</option>
              <option value="online">Online</option>
              <option value="offline">Offline</option>
            </SelectField>
            <label className="check-row density-choice">
              <input
                type="checkbox"
                checked={density === 'compact'}
                onChange={(e) => setDensity(e.target.checked ? 'compact' : 'comfortable')}
              />
              Compact rows
            </label>
          </div>
          <div className="selection-bar" role="group" aria-label="Selected devices">
            <p className="selection-count" aria-live="polite">
              {selection.ids.size > 0
                ? `${formatCount(selection.ids.size, 'device')} selected`
                : 'No device selected'}
            </p>
            <Button
              small
              icon="play"
              disabled={selection.ids.size === 0}
              onClick={() => setDialog({ kind: 'newJob', deviceIds: [...selection.ids] })}
            >
              New job for selected…
            </Button>
            <Button
              small
              icon="refresh"
              disabled={failedSelected.length === 0}
              onClick={() => void retry(failedSelected)}
            >
              {`Retry ${formatCount(failedSelected.length, 'failed device')}`}
            </Button>
            <Button
              small
              disabled={selection.ids.size === 0}
              onClick={() => setDialog({ kind: 'unassign', devices: selectedDevices })}
            >
              Un-assign…
            </Button>
            {selection.ids.size > 0 && (
              <Button small look="quiet" onClick={selection.clear}>
                Clear selection
              </Button>
            )}
            <div className="toolbar-end">
              <p className="result-count" aria-live="polite">
                {filtering
                  ? `${shown.length.toLocaleString('en-US')} of ${formatCount(devices.length, 'device')}`
                  : formatCount(devices.length, 'device')}
              </p>
              {filtering && (
                <Button look="quiet" onClick={() => setFilter(NO_FILTER)}>
                  Clear filters
                </Button>
              )}
            </div>
          </div>
          {shown.length === 0 ? (
            <EmptyState
              icon="search"
              title="No device matches"
              action={<Button onClick={() => setFilter(NO_FILTER)}>Clear filters</Button>}
            >
              Nothing matches the search and filters above.
            </EmptyState>
          ) : (
            <DeviceTable
              // A new row height needs a fresh virtualiser (it caches measured sizes).
              key={density}
              devices={shown}
              total={devices.length}
              sort={sort}
              onSort={toggleSort}
              density={density}
              selected={selection.ids}
              onToggleAll={selection.toggleAll}
              executionsById={executionsById}
              actions={rowActions}
              now={now}
            />
          )}
          {drawerDevice && (
            <DeviceDrawer
              device={drawerDevice}
              onClose={() => setDrawerId(null)}
              onUpdate={(device) => setDialog({ kind: 'update', device })}
              onEdit={(device) => setDialog({ kind: 'edit', deviceId: device.id })}
            />
          )}
        </>
      )}
      {dialog?.kind === 'add' && <AddDeviceDialog onClose={close} />}
      {dialog?.kind === 'import' && <ImportDevicesDialog onClose={close} />}
      {dialog?.kind === 'profiles' && <ProfilePackagesDialog onClose={close} />}
      {dialog?.kind === 'assign' && <AssignToManyDialog devices={shown} onClose={close} />}
      {dialog?.kind === 'edit' && <EditDeviceDialog deviceId={dialog.deviceId} onClose={close} />}
      {dialog?.kind === 'update' && <UpdateDeviceDialog device={dialog.device} onClose={close} />}
      {dialog?.kind === 'unassign' && <UnassignDialog devices={dialog.devices} onClose={close} />}
      {dialog?.kind === 'newJob' && (
        <NewJobDialog deviceIds={dialog.deviceIds} onClose={close} onCreated={selection.clear} />
      )}
    </>
  );
}
