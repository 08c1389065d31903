import type { Profile } from '../../../shared/api/entities';
import type { StationTransport } from '../api/transport';
import type { StationStore } from '../state/station-store';
import { Field } from './Field';
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
      <Field label="Device profile" error={error}>
        {(props) => (
          <select
            {...props}
            value={value.profileId}
            onChange={(e) => onChange({ ...value, profileId: e.target.value })}
          >
            {value.profileId === NO_PROFILE && (
              <option value={NO_PROFILE} disabled>
                Choose a device profile…
              </option>
            )}
            {profiles.map((profile) => (
              <option key={profile.id} value={profile.id}>
                {profile.name}
              </option>
            ))}
            <option value={NEW_PROFILE}>New device profile…</option>
          </select>
        )}
      </Field>
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

/**
 * The profile id to use: the chosen one, or the existing profile of that name, or a new one.
 * Reusing a same-named profile keeps a retried form from failing on its own first attempt.
 */
export async function resolveProfileId(
  api: StationTransport,
  store: StationStore,
  profiles: readonly Profile[],
  choice: ProfileChoiceValue,
): Promise<string> {
  if (choice.profileId !== NEW_PROFILE) return choice.profileId;
  const name = choice.newName.trim();
  const existing = profiles.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (existing) return existing.id;
  const created = await api.call('profiles.add', { name });
  store.putProfile(created);
  return created.id;
}
