import { useMemo, useState } from 'react';

import type {
  Device,
  OtaSlot,
  Package,
  Profile,
  ProfilePackage,
} from '../../../../shared/api/entities';
import { ApiError } from '../../../../shared/api/errors';
import { slotOf } from '../../../../shared/api/slots';
import { OTA_PACKAGE_TYPES, type OtaPackageType } from '../../../../shared/protocol/ota-keys';
import {
  type FieldErrors,
  fieldErrorsOf,
  inputProblems,
  messageOf,
} from '../../api/validate-input';
import { Button } from '../../components/Button';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { CopyButton } from '../../components/CopyButton';
import { Dialog } from '../../components/Dialog';
import { Fact } from '../../components/Fact';
import { FormError } from '../../components/Field';
import { PackageOption } from '../../components/PackageSelect';
import { ProfileOptions } from '../../components/ProfileChoice';
import { ProgressBar } from '../../components/ProgressBar';
import { SelectField } from '../../components/SelectField';
import { StateBadge } from '../../components/StateBadge';
import { TextField } from '../../components/TextField';
import { useDialogAction } from '../../components/use-dialog-action';
import { formatAgo, formatBytes } from '../../lib/format';
import { readableFieldErrors } from '../../lib/readable-field-errors';
import { useNow } from '../../lib/use-now';
import { useSlice, useStation } from '../../state/store-context';
import { currentVersionOf } from './slot-versions';

const NONE = '';
const TYPE_WORD: Record<OtaPackageType, string> = { FIRMWARE: 'Firmware', SOFTWARE: 'Software' };
const FIELD_LABEL: Record<string, string> = {
  name: 'Name',
  label: 'Label',
  profileId: 'Device profile',
};

/** The device's own assignment: what the dialog edits (a profile's package is not its own). */
function ownPackageId(slot: OtaSlot): string {
  return slot.assignedFrom === 'DEVICE' && slot.assignedPackageId ? slot.assignedPackageId : NONE;
}

interface Opened {
  name: string;
  label: string;
  profileName: string;
}

/**
 * The console's device "Edit" (seed steps 5–8): fix the name or label, move it to another
 * device profile (added under the wrong one), choose Firmware and/or Software among the
 * packages of the device's profile, then Apply. Choosing "None" un-assigns.
 */
export function EditDeviceDialog({ deviceId, onClose }: { deviceId: string; onClose: () => void }) {
  const devices = useSlice('devices');
  const packages = useSlice('packages');
  const device = useMemo(() => devices.find((d) => d.id === deviceId), [devices, deviceId]);
  if (!device) {
    return (
      <Dialog
        title="Device not found"
        onClose={onClose}
        footer={<Button onClick={onClose}>Close</Button>}
      >
        <p className="dialog-text">This device no longer exists on the station.</p>
      </Dialog>
    );
  }
  return <EditDeviceForm device={device} packages={packages} onClose={onClose} />;
}

function EditDeviceForm({
  device,
  packages,
  onClose,
}: {
  device: Device;
  packages: readonly Package[];
  onClose: () => void;
}) {
  const { api, store } = useStation();
  const now = useNow(10_000);
  const profiles = useSlice('profiles');
  const profile = profiles.find((p) => p.id === device.profileId);
  // Compared with the values the dialog opened with, not the live ones: a pull renaming the
  // device meanwhile is not undone by an Apply that never touched the name.
  const [opened, setOpened] = useState<Opened>({
    name: device.name,
    label: device.label,
    profileName: device.profileName,
  });
  const [name, setName] = useState(device.name);
  const [label, setLabel] = useState(device.label);
  const [profileId, setProfileId] = useState(device.profileId);
  const target = profiles.find((p) => p.id === profileId);
  const [chosen, setChosen] = useState<Record<OtaPackageType, string>>({
    FIRMWARE: ownPackageId(device.firmware),
    SOFTWARE: ownPackageId(device.software),
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const { busy, error, act } = useDialogAction(onClose);

  const choices = (type: OtaPackageType) =>
    packages
      .filter((p) => p.type === type && p.profileId === device.profileId)
      .sort((a, b) => b.createdAt - a.createdAt);

  const edit: { name?: string; label?: string; profileId?: string } = {};
  if (name.trim() !== opened.name) edit.name = name;
  if (label.trim() !== opened.label) edit.label = label;
  const moving = profileId !== device.profileId;
  if (moving) edit.profileId = profileId;
  const editing = edit.name !== undefined || edit.label !== undefined || moving;

  const changes = OTA_PACKAGE_TYPES.filter(
    (type) => chosen[type] !== ownPackageId(slotOf(device, type)),
  ).map((type) => ({ type, packageId: chosen[type] }));

  const apply = async () => {
    if ((!editing && changes.length === 0) || busy) return;
    if (editing) {
      const problems = inputProblems('devices.update', { id: device.id, ...edit });
      if (problems) {
        setErrors(readableFieldErrors(problems, FIELD_LABEL));
        return;
      }
    }
    setErrors({});
    const done: string[] = [];
    await act(
      async () => {
        let shownName = device.name;
        try {
          if (editing) {
            const updated = await api.call('devices.update', { id: device.id, ...edit });
            store.putDevice(updated);
            done.push(...describeEdit(opened, updated));
            // Applying again (after a failed assignment below) must not count the edit twice.
            setOpened({
              name: updated.name,
              label: updated.label,
              profileName: updated.profileName,
            });
            shownName = updated.name;
          }
          for (const change of changes) done.push(await applySlot(change));
        } finally {
          // What was done shows in the table even when a later step was refused.
          if (changes.length > 0 && done.length > 0)
            await store.refreshDevice(device.id).catch(() => undefined);
        }
        return `${shownName}: ${done.length > 0 ? done.join(', ') : 'nothing to change'}`;
      },
      (e) => {
        const field = Object.keys(fieldErrorsOf(e)).find((f) => f in FIELD_LABEL);
        if (!field || !(e instanceof ApiError) || done.length > 0)
          return `${done.length > 0 ? `${done.join(', ')}; then: ` : ''}${messageOf(e)}`;
        setErrors({ [field]: e.message });
        return null;
      },
    );
  };

  /** Sends or withdraws one package; says what it did. */
  const applySlot = async (change: { type: OtaPackageType; packageId: string }) => {
    if (change.packageId === NONE) {
      await api.call('assignments.unassign', { deviceId: device.id, type: change.type });
      return `${TYPE_WORD[change.type]} un-assigned`;
    }
    const execution = await api.call('assignments.assign', {
      deviceId: device.id,
      packageId: change.packageId,
    });
    store.putExecution(execution);
    return `${TYPE_WORD[change.type]} ${execution.packageTitle} ${execution.packageVersion} assigned`;
  };

  const plan = [
    ...(moving && target ? [`move it to device profile ${target.name}`] : []),
    ...(edit.name !== undefined || edit.label !== undefined
      ? [
          `save the new ${[
            edit.name !== undefined ? 'name' : null,
            edit.label !== undefined ? 'label' : null,
          ]
            .filter(Boolean)
            .join(' and ')}`,
        ]
      : []),
    ...changes.map((c) =>
      c.packageId === NONE
        ? `un-assign the ${c.type.toLowerCase()}`
        : `send the new ${c.type.toLowerCase()}`,
    ),
  ];

  return (
    <Dialog
      title={`Edit device ${device.name}`}
      onClose={onClose}
      onSubmit={apply}
      busy={busy}
      wide
      footer={
        <CancelAndSubmit
          onCancel={onClose}
          busy={busy}
          canSubmit={editing || changes.length > 0}
          icon="check"
        >
          Apply
        </CancelAndSubmit>
      }
    >
      <div className="form-grid">
        <TextField
          label="Name"
          hint="Devices connect with their access token: a new name does not disconnect them."
          error={errors.name}
          mono
          spellCheck={false}
          value={name}
          onChange={setName}
        />
        <TextField
          label="Label"
          hint="Free text, e.g. where it sits (pump 3)."
          error={errors.label}
          value={label}
          onChange={setLabel}
        />
      </div>
      <div className="form-grid">
        <SelectField
          label="Device profile"
          hint={profileHint(target, moving)}
          error={errors.profileId}
          value={profileId}
          onChange={setProfileId}
          disabled={busy}
        >
          <ProfileOptions profiles={profiles} />
        </SelectField>
      </div>
      <dl className="facts">
        <Fact label="Connection">
          {device.online
            ? 'Online now'
            : `Offline · last seen ${formatAgo(device.lastSeenAt, now)}`}
        </Fact>
        <Fact label="Access token" className="token">
          <code className="mono truncate">{device.accessToken}</code>
          <CopyButton value={device.accessToken} what={`access token of ${device.name}`} />
        </Fact>
      </dl>
      <h3 className="section-title">Assign firmware</h3>
      <div className="form-grid">
        {OTA_PACKAGE_TYPES.map((type) => (
          <SlotChoice
            key={type}
            type={type}
            slot={slotOf(device, type)}
            packages={choices(type)}
            value={chosen[type]}
            onChange={(id) => setChosen((was) => ({ ...was, [type]: id }))}
            disabled={busy || moving}
            profileName={device.profileName}
            profilePackage={profile ? slotOf(profile, type) : null}
          />
        ))}
      </div>
      <p className="field-hint">
        {plan.length === 0
          ? 'Fix the name or label, or choose a package, then Apply: a package reaches the device at once if it is online, or when it next connects.'
          : `Apply will ${plan.join(' and ')}${changes.length > 0 ? ` to ${device.name}` : ''}.`}
      </p>
      <FormError message={error} />
    </Dialog>
  );
}

/** What an edit did, in the toast's words: "renamed from …", "label set to …". */
function describeEdit(before: Opened, after: Opened): string[] {
  const said: string[] = [];
  if (after.name !== before.name) said.push(`renamed from ${before.name}`);
  if (after.label !== before.label)
    said.push(after.label ? `label set to "${after.label}"` : 'label cleared');
  if (after.profileName !== before.profileName)
    said.push(`moved to device profile ${after.profileName}`);
  return said;
}

/** What a move means for the device's firmware, in plain words. */
function profileHint(target: Profile | undefined, moving: boolean): string {
  if (!moving || !target)
    return 'Added under the wrong profile? Choose the right one: the device then gets its firmware.';
  return target.firmware
    ? `It will then get ${target.firmware.title} ${target.firmware.version}, the firmware of ${target.name}, unless it has its own.`
    : `${target.name} has no firmware: the device then gets none, unless one is assigned to it.`;
}

function SlotChoice({
  type,
  slot,
  packages,
  value,
  onChange,
  disabled,
  profileName,
  profilePackage,
}: {
  type: OtaPackageType;
  slot: OtaSlot;
  packages: Package[];
  value: string;
  onChange: (id: string) => void;
  disabled: boolean;
  profileName: string;
  /** What the device gets with none of its own: its profile's package. */
  profilePackage: ProfilePackage | null;
}) {
  const word = TYPE_WORD[type];
  const current = currentVersionOf(slot) ?? 'not reported';
  return (
    <div className="slot-choice">
      <SelectField
        label={word}
        hint={
          packages.length === 0
            ? `No ${word.toLowerCase()} packages for profile ${profileName} yet: add one on the Packages page.`
            : `Current ${word.toLowerCase()}: ${current}`
        }
        value={value}
        onChange={onChange}
        disabled={disabled}
      >
        <option value={NONE}>
          {profilePackage
            ? `None: the profile's ${profilePackage.title} ${profilePackage.version}`
            : 'None'}
        </option>
        {packages.map((p) => (
          <PackageOption key={p.id} pkg={p} />
        ))}
      </SelectField>
      {slot.state && (
        <div className="slot-state">
          <StateBadge state={slot.state} />
          {slot.size > 0 && (
            <ProgressBar
              percent={
                slot.state === 'UPDATED'
                  ? 100
                  : (Math.min(slot.bytesServed, slot.size) / slot.size) * 100
              }
              label={`${word} download`}
              tone={
                slot.state === 'FAILED' ? 'failed' : slot.state === 'UPDATED' ? 'done' : 'normal'
              }
              text={`${formatBytes(slot.bytesServed)} / ${formatBytes(slot.size)}`}
            />
          )}
          {slot.error && <p className="field-error">{slot.error}</p>}
        </div>
      )}
    </div>
  );
}
