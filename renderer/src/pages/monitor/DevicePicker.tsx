import { useDeferredValue, useId, useMemo, useState } from 'react';

import type { Device } from '../../../../shared/api/entities';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { SearchField } from '../../components/SearchField';
import { formatCount } from '../../lib/format';
import { compareValues } from '../../lib/sorting';

/** Rendering thousands of checkboxes helps nobody: past this the search narrows the list. */
const LIST_LIMIT = 200;

/** Choosing devices one by one, with a search that filters as you type. */
export function DevicePicker({
  devices,
  chosen,
  onChange,
}: {
  devices: readonly Device[];
  chosen: ReadonlySet<string>;
  onChange: (chosen: ReadonlySet<string>) => void;
}) {
  const [query, setQuery] = useState('');
  const deferred = useDeferredValue(query);
  const legendId = useId();
  const matches = useMemo(() => {
    const words = deferred.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return devices
      .filter((d) => {
        const text = `${d.name} ${d.label} ${d.firmware.currentVersion ?? ''}`.toLowerCase();
        return words.every((w) => text.includes(w));
      })
      .sort((a, b) => compareValues(a.name, b.name));
  }, [devices, deferred]);
  const listed = matches.slice(0, LIST_LIMIT);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  const chooseAllMatches = () => onChange(new Set([...chosen, ...matches.map((d) => d.id)]));

  return (
    <fieldset className="device-picker span-2" aria-labelledby={legendId}>
      <legend id={legendId} className="picker-legend">
        Devices to update{' '}
        <span className="muted">
          ({chosen.size.toLocaleString('en-US')} of {formatCount(devices.length, 'device')} chosen)
        </span>
      </legend>
      <div className="picker-tools">
        <SearchField
          label="Search devices to update"
          className="picker-search"
          placeholder="Name, label, version…"
          value={query}
          onChange={setQuery}
        />
        <Button small onClick={chooseAllMatches} disabled={matches.length === 0}>
          {`Choose all ${matches.length.toLocaleString('en-US')} found`}
        </Button>
        <Button small look="quiet" onClick={() => onChange(new Set())} disabled={chosen.size === 0}>
          Clear choice
        </Button>
      </div>
      {listed.length === 0 ? (
        <p className="empty-line">No device of this profile matches.</p>
      ) : (
        <ul className="pick-list">
          {listed.map((device) => (
            <li key={device.id}>
              <label className="pick-item">
                <input
                  type="checkbox"
                  checked={chosen.has(device.id)}
                  onChange={(e) => toggle(device.id, e.target.checked)}
                />
                <span className="mono truncate">{device.name}</span>
                <span className="pick-meta">
                  <span className="mono">{device.firmware.currentVersion ?? '—'}</span>
                  <Icon name={device.online ? 'online' : 'offline'} />
                  <span>{device.online ? 'online' : 'offline'}</span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {matches.length > listed.length && (
        <p className="field-hint">
          Showing {LIST_LIMIT} of {matches.length.toLocaleString('en-US')} found: search to narrow
          the list, or choose all found.
        </p>
      )}
    </fieldset>
  );
}
