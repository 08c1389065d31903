import { useId, useState } from 'react';

import type { StationStatus } from '../../../../shared/api/entities';
import { messageOf } from '../../api/validate-input';
import { FieldErrorLine } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { Switch } from '../../components/Switch';
import { useNotifier } from '../../components/Toasts';
import { useStation } from '../../state/store-context';
import { hostPort } from './site-addresses';

/**
 * "Serve the site network": moves the station's device API between this computer only
 * (127.0.0.1) and the site network while it runs; devices already connected stay connected.
 */
export function SiteNetworkSwitch({ mqtt }: { mqtt: StationStatus['mqtt'] }) {
  const { api, store } = useStation();
  const { toast } = useNotifier();
  // The switch moves at once; the station's answer (or its refusal) settles it.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hintId = useId();
  const errorId = useId();
  const pending = wanted !== null;
  const on = wanted ?? mqtt.siteNetwork;

  const change = async (enabled: boolean) => {
    // One move at a time: a second press while the station moves changes nothing.
    if (pending) return;
    setWanted(enabled);
    setError(null);
    try {
      const status = await api.call('station.setSiteNetwork', { enabled });
      store.putStatus(status);
      toast('success', movedText(status.mqtt));
    } catch (refusal) {
      setError(messageOf(refusal));
    } finally {
      setWanted(null);
    }
  };

  return (
    <div className="switch-row">
      <Switch
        label="Serve the site network"
        checked={on}
        busy={pending}
        describedBy={error ? `${hintId} ${errorId}` : hintId}
        onChange={(enabled) => void change(enabled)}
      />
      <p id={hintId} className="field-hint">
        {pending ? (
          <>
            <Icon name="refresh" className="inline-icon" />
            {wanted
              ? 'Opening the station to the site network…'
              : 'Closing the station to the site network…'}
          </>
        ) : (
          hintText(mqtt)
        )}
      </p>
      {!pending && mqtt.configuredHost !== null && (
        <p className="field-hint">
          This station was started with the address {mqtt.configuredHost} (--mqtt-host or
          settings.json): every start goes back to it, whatever this switch says.
        </p>
      )}
      <FieldErrorLine id={errorId} error={error} />
    </div>
  );
}

function hintText(mqtt: StationStatus['mqtt']): string {
  if (!mqtt.siteNetwork)
    return `Off: only this computer (127.0.0.1) can connect. Turn it on to let devices on the site network connect on port ${mqtt.port}; devices already connected stay connected.`;
  if (mqtt.lanAddresses.length === 0)
    return `On, but this computer has no network address right now: connect it to the site network (cable or Wi-Fi), then devices connect to its address on port ${mqtt.port}.`;
  return `Devices on the site network connect to ${mqtt.lanAddresses.map(hostPort).join(' or ')}. The choice is kept when the station restarts.`;
}

function movedText(mqtt: StationStatus['mqtt']): string {
  if (!mqtt.siteNetwork) return 'Serving this computer only (127.0.0.1)';
  const first = mqtt.lanAddresses[0];
  return first
    ? `Serving the site network: devices connect to ${hostPort(first)}`
    : 'Serving the site network (this computer has no network address yet)';
}
