import { useMemo, useState } from 'react';

import type { Device } from '../../../../shared/api/entities';
import { slotOf } from '../../../../shared/api/slots';
import type { OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { inputProblems } from '../../api/validate-input';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { ConsequenceNote } from '../../components/ConsequenceNote';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { PackageSelect } from '../../components/PackageSelect';
import { useDialogAction } from '../../components/use-dialog-action';
import { formatCount } from '../../lib/format';
import { useSlice, useStation } from '../../state/store-context';
import { PACKAGE_TYPE_LABEL, PackageTypeField } from '../packages/PackageTypeField';

/**
 * "Assign firmware" to every device the table shows (of the package's profile) as one job,
 * after saying how many devices will be updated.
 */
export function AssignToManyDialog({
  devices,
  onClose,
}: {
  devices: readonly Device[];
  onClose: () => void;
}) {
  const { api } = useStation();
  const packages = useSlice('packages');
  const [type, setType] = useState<OtaPackageType>('FIRMWARE');
  const ready = useMemo(
    () => packages.filter((p) => p.type === type && p.status === 'READY'),
    [packages, type],
  );
  const [packageId, setPackageId] = useState('');
  const chosen = ready.find((p) => p.id === packageId) ?? ready[0] ?? null;
  const [concurrency, setConcurrency] = useState('10');
  const { busy, error, setError, act } = useDialogAction(onClose);

  const targets = chosen
    ? devices.filter(
        (d) => d.profileId === chosen.profileId && slotOf(d, type).assignedPackageId !== chosen.id,
      )
    : [];
  const otherProfile = chosen ? devices.filter((d) => d.profileId !== chosen.profileId).length : 0;
  const already = chosen ? devices.length - otherProfile - targets.length : 0;

  const run = async () => {
    if (!chosen || targets.length === 0 || busy) return;
    const input = {
      packageId: chosen.id,
      deviceIds: targets.map((d) => d.id),
      policy: { concurrency: Number(concurrency) },
    };
    const problems = inputProblems('jobs.create', input);
    if (problems) {
      setError(
        problems['policy.concurrency']
          ? `Devices downloading at once: ${problems['policy.concurrency']}`
          : Object.values(problems).join('; '),
      );
      return;
    }
    await act(async () => {
      // One job for the whole selection: the station paces it (concurrency) and tracks it.
      const job = await api.call('jobs.create', input);
      return `${job.packageTitle} ${job.packageVersion} assigned to ${formatCount(job.counts.total, 'device')}; the update runs ${
        job.policy.concurrency > 0 ? `${job.policy.concurrency} at a time` : 'on all at once'
      }`;
    });
  };

  const running = busy;
  return (
    <Dialog
      title={`Assign ${type === 'FIRMWARE' ? 'firmware' : 'software'} to shown devices`}
      onClose={onClose}
      onSubmit={run}
      busy={running}
      footer={
        <CancelAndSubmit onCancel={onClose} busy={busy} canSubmit={targets.length > 0} icon="check">
          {`Apply to ${formatCount(targets.length, 'device')}`}
        </CancelAndSubmit>
      }
    >
      <fieldset className="form-grid" disabled={running}>
        <legend className="sr-only">Package to assign</legend>
        <PackageTypeField value={type} onChange={setType} />
        <PackageSelect
          label={PACKAGE_TYPE_LABEL[type]}
          packages={ready}
          value={chosen?.id ?? ''}
          onChange={setPackageId}
          describe={(p) => `${p.title} ${p.version} · ${p.profileName}`}
          error={
            ready.length === 0
              ? `No ready ${type.toLowerCase()} package: add one on the Packages page.`
              : undefined
          }
        />
        <Field
          label="Devices downloading at once"
          hint="The others wait QUEUED, so the site network isn't swamped. 0 = no limit."
          className="span-2"
        >
          {(props) => (
            <input
              {...props}
              type="number"
              min={0}
              step={1}
              inputMode="numeric"
              value={concurrency}
              onChange={(e) => setConcurrency(e.target.value)}
            />
          )}
        </Field>
      </fieldset>
      {chosen && (
        <ConsequenceNote>
          <p>
            <strong>{formatCount(targets.length, 'device')} will be updated</strong> to{' '}
            {chosen.title} {chosen.version}.
          </p>
          {(otherProfile > 0 || already > 0) && (
            <p className="muted">
              {otherProfile > 0 &&
                `${formatCount(otherProfile, 'shown device')} of another profile skipped. `}
              {already > 0 && `${formatCount(already, 'device')} already assigned this package.`}
            </p>
          )}
        </ConsequenceNote>
      )}
      <FormError message={error} />
    </Dialog>
  );
}
