import { useState } from 'react';

import { ApiError } from '../../../../shared/api/errors';
import {
  type FieldErrors,
  fieldErrorsOf,
  inputProblems,
  messageOf,
} from '../../api/validate-input';
import { CancelAndSubmit } from '../../components/CancelAndSubmit';
import { Dialog } from '../../components/Dialog';
import { FormError } from '../../components/Field';
import {
  initialProfileChoice,
  newProfileProblems,
  ProfileChoice,
  profileIdToCheck,
  useProfileChoice,
} from '../../components/ProfileChoice';
import { TextField } from '../../components/TextField';
import { useDialogAction } from '../../components/use-dialog-action';
import { readableFieldErrors } from '../../lib/readable-field-errors';
import { useStation } from '../../state/store-context';

const FIELD_LABEL: Record<string, string> = {
  name: 'Name',
  label: 'Label',
  accessToken: 'Access token',
};

/** A device with its name, profile and the access token it will connect with. */
export function AddDeviceDialog({ onClose }: { onClose: () => void }) {
  const { api, store } = useStation();
  const profile = useProfileChoice(initialProfileChoice);
  const [name, setName] = useState('');
  const [label, setLabel] = useState('');
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const { busy, error: formError, setError: setFormError, act } = useDialogAction(onClose);

  const submit = async () => {
    if (busy) return;
    setFormError(null);
    const input = {
      name,
      label,
      profileId: profileIdToCheck(profile.choice),
      ...(token.trim() ? { accessToken: token } : {}),
    };
    const problems: FieldErrors = {
      ...inputProblems('devices.add', input),
      ...newProfileProblems(profile.choice),
    };
    if (Object.keys(problems).length > 0) {
      setErrors(readableFieldErrors(problems, FIELD_LABEL));
      return;
    }
    setErrors({});
    await act(
      async () => {
        const device = await api.call('devices.add', {
          ...input,
          profileId: await profile.resolve(),
        });
        store.putDevice(device);
        return `Device ${device.name} added`;
      },
      (error) => {
        // The station's refusal under the field it names, else for the whole form.
        const first = Object.keys(fieldErrorsOf(error)).find((f) => f in FIELD_LABEL);
        if (!first || !(error instanceof ApiError)) return messageOf(error);
        setErrors({ [first]: error.message });
        return null;
      },
    );
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
        <ProfileChoice {...profile.fieldProps(errors)} />
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
