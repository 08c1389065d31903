import { useMemo, useRef, useState } from 'react';
import type { Device } from '../../../../shared/api/entities';
import { OTA_PACKAGE_TYPES, type OtaPackageType } from '../../../../shared/protocol/ota-keys';
import { messageOf } from '../../api/validate-input';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { useNotifier } from '../../components/Toasts';
import { formatCount } from '../../lib/format';
import { runLimited } from '../../lib/run-limited';
import { useSlice, useStation } from '../../state/store-context';
import { PACKAGE_TYPE_LABEL } from '../packages/AddPackageDialog';

const PARALLEL_CALLS = 8;

/**
 * "Assign firmware" to every device the table shows (of the package's profile), after saying
 * how many devices will be updated.
 */
export function AssignToManyDialog({
  devices,
  onClose,
}: {
  devices: readonly Device[];
  onClose: () => void;
}) {
  const { api, store } = useStation();
  const { toast } = useNotifier();
  const packages = useSlice('packages');
  const [type, setType] = useState<OtaPackageType>('FIRMWARE');
  const ready = useMemo(
    () => packages.filter((p) => p.type === type && p.status === 'READY'),
    [packages, type],
  );
  const [packageId, setPackageId] = useState('');
  const chosen = ready.find((p) => p.id === packageId) ?? ready[0] ?? null;
  const [progress, setProgress] = useState<{ done: number; failed: number; total: number } | null>(
    null,
  );
  const [failures, setFailures] = useState<string[]>([]);
  const stopRef = useRef(false);

  const slotOf = (d: Device) => (type === 'FIRMWARE' ? d.firmware : d.software);
  const targets = chosen
    ? devices.filter(
        (d) => d.profileId === chosen.profileId && slotOf(d).assignedPackageId !== chosen.id,
      )
    : [];
  const otherProfile = chosen ? devices.filter((d) => d.profileId !== chosen.profileId).length : 0;
  const already = chosen ? devices.length - otherProfile - targets.length : 0;

  const run = async () => {
    if (!chosen || targets.length === 0 || progress) return;
    stopRef.current = false;
    const list = [...targets];
    const failed: string[] = [];
    let done = 0;
    setProgress({ done, failed: 0, total: list.length });
    await runLimited(list, PARALLEL_CALLS, async (device) => {
      if (stopRef.current) return;
      try {
        store.putExecution(
          await api.call('assignments.assign', { deviceId: device.id, packageId: chosen.id }),
        );
      } catch (error) {
        failed.push(`${device.name}: ${messageOf(error)}`);
      }
      done += 1;
      setProgress({ done, failed: failed.length, total: list.length });
    });
    setProgress(null);
    setFailures(failed);
    const name = `${chosen.title} ${chosen.version}`;
    toast(
      failed.length ? 'error' : 'success',
      `${name} assigned to ${formatCount(done - failed.length, 'device')}${failed.length ? `; ${failed.length} failed` : ''}`,
    );
    if (failed.length === 0) onClose();
  };

  const running = progress !== null;
  return (
    <Dialog
      title={`Assign ${type === 'FIRMWARE' ? 'firmware' : 'software'} to shown devices`}
      onClose={onClose}
      onSubmit={run}
      busy={running}
      footer={
        running ? (
          <button type="button" className="button" onClick={() => (stopRef.current = true)}>
            Stop
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={targets.length === 0}>
              <Icon name="check" />
              {`Apply to ${formatCount(targets.length, 'device')}`}
            </button>
          </>
        )
      }
    >
      <fieldset className="form-grid" disabled={running}>
        <legend className="sr-only">Package to assign</legend>
        <Field label="Package type">
          {(props) => (
            <select
              {...props}
              value={type}
              onChange={(e) => setType(e.target.value as OtaPackageType)}
            >
              {OTA_PACKAGE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {PACKAGE_TYPE_LABEL[t]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={PACKAGE_TYPE_LABEL[type]}
          error={
            ready.length === 0
              ? `No ready ${type.toLowerCase()} package: add one on the Packages page.`
              : undefined
          }
        >
          {(props) => (
            <select
              {...props}
              value={chosen?.id ?? ''}
              onChange={(e) => setPackageId(e.target.value)}
            >
              {ready.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title} {p.version} · {p.profileName}
                </option>
              ))}
            </select>
          )}
        </Field>
      </fieldset>
      {chosen && (
        <div className="confirm-count" role="status">
          <Icon name="alert" className="warning" />
          <div>
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
          </div>
        </div>
      )}
      {progress && (
        <div className="upload-progress">
          <div className="upload-figures">
            <span>
              Assigned {progress.done.toLocaleString('en-US')} of{' '}
              {progress.total.toLocaleString('en-US')}
              {progress.failed > 0 ? ` (${progress.failed} failed)` : ''}
            </span>
          </div>
          <progress max={progress.total} value={progress.done} aria-label="Assignment progress" />
        </div>
      )}
      {failures.length > 0 && (
        <ul className="problem-list" aria-label="Devices not assigned">
          {failures.slice(0, 50).map((f) => (
            <li key={f}>
              <Icon name="failed" /> {f}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
