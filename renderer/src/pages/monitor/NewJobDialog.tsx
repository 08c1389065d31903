import { type ReactNode, useMemo, useState } from 'react';

import type { Device, Job, Package } from '../../../../shared/api/entities';
import { slotOf } from '../../../../shared/api/slots';
import {
  type FieldErrors,
  fieldErrorsOf,
  inputProblems,
  messageOf,
} from '../../api/validate-input';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { ConsequenceNote } from '../../components/ConsequenceNote';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { jobSubject } from '../../components/notices';
import { PackageSelect } from '../../components/PackageSelect';
import { useDialogAction } from '../../components/use-dialog-action';
import { justFailedPackageIds } from '../../lib/failed-packages';
import { formatCount, formatDateTime } from '../../lib/format';
import { describePolicy } from '../../lib/job-figures';
import { useSlice, useStation } from '../../state/store-context';
import { filterDevices } from '../devices/device-filter';
import { isFiltering, useDeviceFilter } from '../devices/device-filter-state';
import { PACKAGE_TYPE_LABEL } from '../packages/PackageTypeField';
import { DevicePicker } from './DevicePicker';
import { DEFAULT_POLICY_FORM, type PolicyForm, readPolicyForm } from './job-form';

type TargetKind = 'profile' | 'shown' | 'chosen';

/**
 * A rollout: a ready package, the devices (a whole profile, those shown on the Devices page, or
 * picked one by one) and the site's policy; the count of devices is said before it starts.
 */
export function NewJobDialog({
  onClose,
  onCreated,
  deviceIds,
}: {
  onClose: () => void;
  onCreated: (job: Job) => void;
  /** Devices selected on the Devices page: the job's target to start with. */
  deviceIds?: readonly string[];
}) {
  const { api, store } = useStation();
  const packages = useSlice('packages');
  const devices = useSlice('devices');
  const devicesFilter = useDeviceFilter();
  const jobs = useSlice('jobs');
  const executions = useSlice('executions');
  const ready = useMemo(() => packages.filter((p) => p.status === 'READY'), [packages]);
  const justFailed = useMemo(() => justFailedPackageIds(jobs, executions), [jobs, executions]);
  const [packageId, setPackageId] = useState<string | null>(null);
  // Preset only a package that fits the selection and did not just fail: re-sending a failing
  // package must be a choice, never a default.
  const [preset] = useState(() => {
    const profiles = new Set(
      devices.filter((d) => deviceIds?.includes(d.id)).map((d) => d.profileId),
    );
    return (
      ready.find((p) => !justFailed.has(p.id) && (profiles.size === 0 || profiles.has(p.profileId)))
        ?.id ?? ''
    );
  });
  const pkg = ready.find((p) => p.id === (packageId ?? preset)) ?? null;
  const ofProfile = useMemo(
    () => (pkg ? devices.filter((d) => d.profileId === pkg.profileId) : []),
    [devices, pkg],
  );
  const shownOnDevicesPage = useMemo(
    () => (isFiltering(devicesFilter) ? filterDevices(ofProfile, devicesFilter) : null),
    [ofProfile, devicesFilter],
  );
  // A filter left on the Devices page is offered, never chosen silently.
  const [target, setTarget] = useState<TargetKind>(() =>
    deviceIds && deviceIds.length > 0 ? 'chosen' : 'profile',
  );
  const [chosen, setChosen] = useState<ReadonlySet<string>>(() => new Set(deviceIds ?? []));
  const [form, setForm] = useState<PolicyForm>(DEFAULT_POLICY_FORM);
  const [errors, setErrors] = useState<FieldErrors>({});
  const { busy, error: formError, setError: setFormError, act } = useDialogAction(onClose);

  const effectiveTarget: TargetKind =
    target === 'shown' && shownOnDevicesPage === null ? 'profile' : target;
  const targets: readonly Device[] =
    effectiveTarget === 'profile'
      ? ofProfile
      : effectiveTarget === 'shown'
        ? (shownOnDevicesPage ?? [])
        : ofProfile.filter((d) => chosen.has(d.id));
  const alreadyThere = pkg ? targets.filter((d) => runs(d, pkg)).length : 0;
  const set = (key: keyof PolicyForm, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors(({ [key]: _gone, ...rest }) => rest);
  };
  /** A policy field's value, error and change handler, all read from and written to the same key. */
  const policyField = (key: keyof PolicyForm) => ({
    value: form[key],
    error: errors[key],
    onChange: (value: string) => set(key, value),
  });

  const submit = async () => {
    if (!pkg || busy) return;
    const read = readPolicyForm(form, Date.now());
    if ('errors' in read) {
      setErrors(read.errors);
      setFormError(null);
      return;
    }
    if (targets.length === 0) {
      setFormError('Choose at least one device to update.');
      return;
    }
    const input = {
      packageId: pkg.id,
      policy: read.policy,
      ...(read.startAt !== undefined ? { startAt: read.startAt } : {}),
      ...(effectiveTarget === 'profile'
        ? { profileId: pkg.profileId }
        : { deviceIds: targets.map((d) => d.id) }),
    };
    const problems = inputProblems('jobs.create', input);
    if (problems) {
      setFormError(
        Object.entries(problems)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; '),
      );
      return;
    }
    setErrors({});
    await act(
      async () => {
        const job = await api.call('jobs.create', input);
        store.putJob(job);
        onCreated(job);
        const when = job.status === 'SCHEDULED' ? `, from ${formatDateTime(job.startAt)}` : '';
        return {
          text: `Job started: ${job.packageTitle} ${job.packageVersion} to ${formatCount(job.counts.total, 'device')}${when}`,
          subject: jobSubject(job.id),
        };
      },
      (error) => {
        const fields = fieldErrorsOf(error);
        setErrors(
          Object.fromEntries(
            Object.entries(fields).map(([k, v]) => [k.replace(/^policy\./, ''), v]),
          ),
        );
        return messageOf(error);
      },
    );
  };

  const scheduled = form.startAt.trim() !== '';
  // The policy in words under the count, once the fields make sense (the time is checked on submit).
  const preview = readPolicyForm({ ...form, startAt: '' }, 0);
  const count = formatCount(targets.length, 'device');
  return (
    <Dialog
      title="New job"
      onClose={onClose}
      onSubmit={() => void submit()}
      busy={busy}
      wide
      footer={
        <CancelAndSubmit
          onCancel={onClose}
          busy={busy}
          canSubmit={pkg !== null && targets.length > 0}
          icon={scheduled ? 'calendar' : 'play'}
        >
          {scheduled ? `Schedule job for ${count}` : `Start job for ${count}`}
        </CancelAndSubmit>
      }
    >
      <fieldset className="form-grid" disabled={busy}>
        <legend className="sr-only">Package and devices</legend>
        <PackageSelect
          label="Package"
          className="span-2"
          packages={ready}
          value={pkg?.id ?? ''}
          onChange={setPackageId}
          placeholder="Choose a package…"
          describe={(p) =>
            `${p.title} ${p.version} · ${PACKAGE_TYPE_LABEL[p.type]} · ${p.profileName}${justFailed.has(p.id) ? ' · just failed' : ''}`
          }
          hint={
            pkg === null && ready.length > 0
              ? justFailed.size > 0
                ? 'Choose a package: none is preset, because a package just failed.'
                : 'Choose a package.'
              : undefined
          }
          error={
            ready.length === 0
              ? 'No ready package: add one on the Packages page.'
              : errors.packageId
          }
        />
        {pkg && (
          <fieldset className="target-choice span-2">
            <legend>Devices</legend>
            <TargetChoice target="profile" chosen={effectiveTarget} onChoose={setTarget}>
              <span>
                Every device of profile {pkg.profileName}{' '}
                <span className="muted">({formatCount(ofProfile.length, 'device')})</span>
              </span>
            </TargetChoice>
            {shownOnDevicesPage !== null && (
              <TargetChoice target="shown" chosen={effectiveTarget} onChoose={setTarget}>
                <span>
                  The devices shown on the Devices page{' '}
                  <span className="muted">
                    ({formatCount(shownOnDevicesPage.length, 'device')} of this profile)
                  </span>
                </span>
              </TargetChoice>
            )}
            <TargetChoice target="chosen" chosen={effectiveTarget} onChoose={setTarget}>
              <span>Devices I choose</span>
            </TargetChoice>
          </fieldset>
        )}
        {pkg && effectiveTarget === 'chosen' && (
          <DevicePicker devices={ofProfile} chosen={chosen} onChange={setChosen} />
        )}
      </fieldset>
      <fieldset className="form-grid" disabled={busy}>
        <legend className="section-legend">Rollout policy</legend>
        <NumberField
          label="Devices downloading at once"
          hint="The others wait QUEUED, so the site network isn't swamped. 0 = no limit."
          {...policyField('concurrency')}
        />
        <NumberField
          label="Time-out without progress (s)"
          hint="A device silent this long is TIMED_OUT. 0 = never."
          {...policyField('timeoutSec')}
        />
        <NumberField
          label="Retries"
          hint="Automatic re-deliveries after FAILED or TIMED_OUT."
          {...policyField('retries')}
        />
        <NumberField
          label="Wait before a retry (s)"
          hint="Time for a rebooting device or a weak access point to recover."
          {...policyField('retryDelaySec')}
        />
        <Field label="Start at (optional)" hint="Empty = now." error={errors.startAt}>
          {(props) => (
            <input
              {...props}
              type="datetime-local"
              value={form.startAt}
              onChange={(e) => set('startAt', e.target.value)}
            />
          )}
        </Field>
        <NumberField
          label="Pause after failed devices (count)"
          hint="Auto-pause once this many devices failed. Empty = never."
          {...policyField('haltAfterFailures')}
        />
        <NumberField
          label="Pause after failed devices (%)"
          hint="Auto-pause once this share of the devices failed. Empty = never."
          {...policyField('haltAfterPercent')}
        />
      </fieldset>
      {pkg && (
        <ConsequenceNote>
          <p>
            <strong>{count} will be updated</strong> to {pkg.title} {pkg.version}
            {scheduled && !errors.startAt ? `, from ${form.startAt.replace('T', ' ')}` : ''}.
          </p>
          {alreadyThere > 0 && (
            <p className="muted">
              {formatCount(alreadyThere, 'device')} already run {pkg.title} {pkg.version}: they
              count as updated at once.
            </p>
          )}
          {'policy' in preview && <p className="muted">{describePolicy(preview.policy)}</p>}
        </ConsequenceNote>
      )}
      <FormError message={formError} />
    </Dialog>
  );
}

function runs(device: Device, pkg: Package): boolean {
  const slot = slotOf(device, pkg.type);
  return slot.currentTitle === pkg.title && slot.currentVersion === pkg.version;
}

function NumberField({
  label,
  hint,
  value,
  error,
  onChange,
}: {
  label: string;
  hint: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} hint={hint} error={error ? `${label}: ${error}` : undefined}>
      {(props) => (
        <input
          {...props}
          type="number"
          inputMode="decimal"
          min={0}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** One answer to "which devices": a radio of the job's target group. */
function TargetChoice({
  target,
  chosen,
  onChoose,
  children,
}: {
  target: TargetKind;
  chosen: TargetKind;
  onChoose: (target: TargetKind) => void;
  children: ReactNode;
}) {
  return (
    <label className="radio-row">
      <input
        type="radio"
        name="job-target"
        checked={chosen === target}
        onChange={() => onChoose(target)}
      />
      {children}
    </label>
  );
}
