import { useMemo, useState } from 'react';

import type { Device } from '../../../../shared/api/entities';
import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { PackageSelect } from '../../components/PackageSelect';
import { useDialogAction } from '../../components/use-dialog-action';
import { justFailedPackageIds } from '../../lib/failed-packages';
import { useSlice, useStation } from '../../state/store-context';
import { PACKAGE_TYPE_LABEL, PackageTypeField } from '../packages/PackageTypeField';

/**
 * "Update…" on a device's row: the console's Assign firmware (or software) + Apply for one
 * device, among the ready packages of its profile. A package that just failed is not preset.
 */
export function UpdateDeviceDialog({ device, onClose }: { device: Device; onClose: () => void }) {
  const { api, store } = useStation();
  const packages = useSlice('packages');
  const jobs = useSlice('jobs');
  const executions = useSlice('executions');
  const [type, setType] = useState<OtaPackageType>('FIRMWARE');
  const fitting = useMemo(
    () =>
      packages.filter(
        (p) => p.type === type && p.status === 'READY' && p.profileId === device.profileId,
      ),
    [packages, type, device.profileId],
  );
  const failed = useMemo(() => justFailedPackageIds(jobs, executions), [jobs, executions]);
  const [packageId, setPackageId] = useState<string | null>(null);
  const preset = fitting.find((p) => !failed.has(p.id))?.id ?? '';
  const chosen = fitting.find((p) => p.id === (packageId ?? preset)) ?? null;
  const { busy, error, act } = useDialogAction(onClose);

  const apply = async () => {
    if (!chosen || busy) return;
    await act(async () => {
      const execution = await api.call('assignments.assign', {
        deviceId: device.id,
        packageId: chosen.id,
      });
      store.putExecution(execution);
      await store.refreshDevice(device.id);
      return `${device.name}: ${chosen.title} ${chosen.version} assigned`;
    });
  };

  return (
    <Dialog
      title={`Update ${device.name}`}
      onClose={onClose}
      onSubmit={() => void apply()}
      busy={busy}
      footer={
        <CancelAndSubmit onCancel={onClose} busy={busy} canSubmit={chosen !== null} icon="check">
          Apply
        </CancelAndSubmit>
      }
    >
      <fieldset className="form-grid" disabled={busy}>
        <legend className="sr-only">Package to assign</legend>
        <PackageTypeField
          value={type}
          onChange={(t) => {
            setType(t);
            setPackageId(null);
          }}
        />
        <PackageSelect
          label={PACKAGE_TYPE_LABEL[type]}
          packages={fitting}
          value={chosen?.id ?? ''}
          onChange={setPackageId}
          placeholder="Choose a package…"
          describe={(p) => `${p.title} ${p.version}${failed.has(p.id) ? ' (just failed)' : ''}`}
          hint={
            fitting.some((p) => failed.has(p.id))
              ? 'Packages that just failed are marked and not preset.'
              : undefined
          }
          error={
            fitting.length === 0
              ? `No ready ${type.toLowerCase()} package for profile ${device.profileName}: add one on the Packages page.`
              : undefined
          }
        />
      </fieldset>
      <FormError message={error} />
    </Dialog>
  );
}
