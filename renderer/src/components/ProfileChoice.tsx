import { useState } from 'react';

import type { Profile } from '../../../shared/api/entities';
import { type FieldErrors, inputProblems } from '../api/validate-input';
import { useSlice, useStation } from '../state/store-context';
import { SelectField } from './SelectField';
import { TextField } from './TextField';

export const NEW_PROFILE = '__new__';

/** Either an existing profile's id, or NEW_PROFILE with the name to create. */
export interface ProfileChoiceValue {
  profileId: string;
  newName: string;
}

export function initialProfileChoice(profiles: readonly Profile[]): ProfileChoiceValue {
  return { profileId: profiles[0]?.id ?? NEW_PROFILE, newName: '' };
}

/** Nothing chosen yet (the technician picks; nothing is preset), or a new one when none exist. */
export const NO_PROFILE = '';
export function unchosenProfile(profiles: readonly Profile[]): ProfileChoiceValue {
  return { profileId: profiles.length > 0 ? NO_PROFILE : NEW_PROFILE, newName: '' };
}

/** The console's "Device profile": choose one, or name a new one to create on submit. */
export function ProfileChoice({
  profiles,
  value,
  onChange,
  error,
  newNameError,
}: {
  profiles: readonly Profile[];
  value: ProfileChoiceValue;
  onChange: (value: ProfileChoiceValue) => void;
  error?: string | undefined;
  newNameError?: string | undefined;
}) {
  return (
    <>
      <SelectField
        label="Device profile"
        error={error}
        value={value.profileId}
        onChange={(profileId) => onChange({ ...value, profileId })}
      >
        {value.profileId === NO_PROFILE && (
          <option value={NO_PROFILE} disabled>
            Choose a device profile…
          </option>
        )}
        <ProfileOptions profiles={profiles} />
        <option value={NEW_PROFILE}>New device profile…</option>
      </SelectField>
      {value.profileId === NEW_PROFILE && (
        <TextField
          label="New device profile name"
          hint="Created together with this item."
          error={newNameError}
          value={value.newName}
          onChange={(newName) => onChange({ ...value, newName })}
        />
      )}
    </>
  );
}

/** Each device profile as an option of a select, by name. */
export function ProfileOptions({ profiles }: { profiles: readonly Profile[] }) {
  return profiles.map((profile) => (
    <option key={profile.id} value={profile.id}>
      {profile.name}
    </option>
  ));
}

/** The profile id to check a form with before sending it: a new profile has none yet. */
export function profileIdToCheck(choice: ProfileChoiceValue): string {
  return choice.profileId === NEW_PROFILE ? 'new' : choice.profileId;
}

/** What is wrong with a new profile's name, under its field (`newProfileName`). */
export function newProfileProblems(choice: ProfileChoiceValue): FieldErrors {
  if (choice.profileId !== NEW_PROFILE) return {};
  const problems = inputProblems('profiles.add', { name: choice.newName });
  return problems?.name ? { newProfileName: `Profile name ${problems.name}` } : {};
}

/**
 * A form's "Device profile" (Add device, Add package): the choice, the props of its fields, and
 * on submit the id to send, the new profile created first if one was named.
 */
export function useProfileChoice(initial: (profiles: readonly Profile[]) => ProfileChoiceValue) {
  const { api, store } = useStation();
  const profiles = useSlice('profiles');
  const [choice, setChoice] = useState(() => initial(profiles));
  const fieldProps = (errors: FieldErrors) => ({
    profiles,
    value: choice,
    onChange: setChoice,
    error: errors.profileId,
    newNameError: errors.newProfileName,
  });
  /** The id to send; a profile created now is then the choice (a retry does not make another). */
  const resolve = async (): Promise<string> => {
    if (choice.profileId !== NEW_PROFILE) return choice.profileId;
    const name = choice.newName.trim();
    const existing = profiles.find((p) => p.name.toLowerCase() === name.toLowerCase());
    // Reusing a same-named profile keeps a retried form from failing on its own first attempt.
    const id = existing?.id ?? (await createProfile(name));
    setChoice({ profileId: id, newName: '' });
    return id;
  };
  const createProfile = async (name: string) => {
    const created = await api.call('profiles.add', { name });
    store.putProfile(created);
    return created.id;
  };
  return { choice, fieldProps, resolve };
}
