import { useState } from 'react';
import { ApiError } from '../../../../shared/api/errors';
import {
  fieldErrorsOf,
  inputProblems,
  messageOf,
  type FieldErrors,
} from '../../api/validate-input';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import { TextField } from '../../components/TextField';
import {
  initialProfileChoice,
  NEW_PROFILE,
  ProfileChoice,
  resolveProfileId,
} from '../../components/ProfileChoice';
import { useNotifier } from '../../components/Toasts';
import { readableFieldErrors } from '../../lib/readable-field-errors';
import { useSlice, useStation } from '../../state/store-context';

const FIELD_LABEL: Record<string, string> = {
  name: 'Name',
  label: 'Label',
  accessToken: 'Access token',
};

/** A device with its name, profile and the access token it will connect with. */
export function AddDeviceDialog({ onClose }: { onClose: () => void }) {
  const { api, store } = useStation();
  const profiles = useSlice('profiles');
  const { toast } = useNotifier();
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [profile, setProfile] = useState(() => initialProfileChoice(profiles));
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    const input = {
      name,
      label,
      profileId: profile.profileId === NEW_PROFILE ? 'new' : profile.profileId,
      ...(token.trim() ? { accessToken: token } : {}),
    };
    const problems: FieldErrors = { ...inputProblems('devices.add', input) };
    if (profile.profileId === NEW_PROFILE) {
      const nameProblems = inputProblems('profiles.add', { name: profile.newName });
      if (nameProblems?.name) problems.newProfileName = `Profile name ${nameProblems.name}`;
    }
    if (Object.keys(problems).length > 0) {
      setErrors(readableFieldErrors(problems, FIELD_LABEL));
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const profileId = await resolveProfileId(api, store, profiles, profile);
      setProfile({ profileId, newName: '' });
      const device = await api.call('devices.add', { ...input, profileId });
      store.putDevice(device);
      toast('success', `Device ${device.name} added`);
      onClose();
    } catch (error) {
      const fields = fieldErrorsOf(error);
      const first = Object.keys(fields).find((f) => f in FIELD_LABEL);
      if (first && error instanceof ApiError) setErrors({ [first]: error.message });
      else setFormError(messageOf(error));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Add device"
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <CancelAndSubmit onCancel={onClose} busy={busy} icon="plus">
          Add
        </CancelAndSubmit>
      }
    >
      <fieldset className="form-stack" disabled={busy}>
        <legend className="sr-only">Device</legend>
        <TextField
          label="Name"
          hint="As on the device's sticker, e.g. CIM-168-02-22-90."
          error={errors.name}
          mono
          autoFocus
          value={name}
          onChange={setName}
        />
        <TextField
          label="Label (optional)"
          error={errors.label}
          value={label}
          onChange={setLabel}
        />
        <ProfileChoice
          profiles={profiles}
          value={profile}
          onChange={setProfile}
          error={errors.profileId}
          newNameError={errors.newProfileName}
        />
        <TextField
          label="Access token (optional)"
          hint="The MQTT username the device connects with. Leave empty to generate one."
          error={errors.accessToken}
          mono
          spellCheck={false}
          value={token}
          onChange={setToken}
        />
      </fieldset>
      <FormError message={formError} />
    </Dialog>
  );
}
