import { useState } from 'react';

import type { Device } from '../../../../shared/api/entities';
import { slotOf } from '../../../../shared/api/slots';
import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { ConsequenceNote } from '../../components/ConsequenceNote';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { useDialogAction } from '../../components/use-dialog-action';
import { formatCount } from '../../lib/format';
import { runLimited } from '../../lib/run-limited';
import { useStation } from '../../state/store-context';
import { PackageTypeField } from '../packages/PackageTypeField';

/** Takes the firmware (or software) assignment back from the selected devices, after the count. */
export function UnassignDialog({
  devices,
  onClose,
}: {
  devices: readonly Device[];
  onClose: () => void;
}) {
  const { api, store } = useStation();
  const [type, setType] = useState<OtaPackageType>('FIRMWARE');
  const { busy, error, act } = useDialogAction(onClose);
  // Only a device's own assignment can be taken back here; one from its profile is the profile's.
  const targets = devices.filter((d) => slotOf(d, type).assignedFrom === 'DEVICE');
  const word = type === 'FIRMWARE' ? 'firmware' : 'software';
  const run = async () => {
    if (targets.length === 0 || busy) return;
    await act(async () => {
      await runLimited(targets, 8, async (device) => {
        await api.call('assignments.unassign', { deviceId: device.id, type });
        await store.refreshDevice(device.id);
      });
      return `${formatCount(targets.length, 'device')} un-assigned from their ${word}`;
    });
  };
  return (
    <Dialog
      title={`Un-assign ${word}`}
      onClose={onClose}
      onSubmit={() => void run()}
      busy={busy}
      footer={
        <CancelAndSubmit onCancel={onClose} busy={busy} canSubmit={targets.length > 0} icon="check">
          {`Un-assign ${formatCount(targets.length, 'device')}`}
        </CancelAndSubmit>
      }
    >
      <fieldset className="form-grid" disabled={busy}>
        <legend className="sr-only">Which assignment</legend>
        <PackageTypeField value={type} onChange={setType} />
      </fieldset>
      <ConsequenceNote>
        <p>
          <strong>{formatCount(targets.length, 'device')} will be un-assigned</strong> from their{' '}
          {word}; an update in progress on them stops.
        </p>
        {devices.length > targets.length && (
          <p className="muted">
            {formatCount(devices.length - targets.length, 'selected device')} have no {word} of
            their own assigned (a profile&apos;s stays with the profile).
          </p>
        )}
      </ConsequenceNote>
      <FormError message={error} />
    </Dialog>
  );
}
