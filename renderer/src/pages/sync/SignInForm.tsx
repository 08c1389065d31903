import { type FormEvent, useRef, useState } from 'react';

import type { CloudStatus } from '../../../../shared/api/entities';
import {
  type FieldErrors,
  fieldErrorsOf,
  inputProblems,
  messageOf,
} from '../../api/validate-input';
import { Button } from '../../components/Button';
import { Field, FormError } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { TextField } from '../../components/TextField';
import { useDialogAction } from '../../components/use-dialog-action';
import { useStation } from '../../state/store-context';

const FIELD_LABELS: Record<string, string> = {
  url: 'Cloud URL',
  username: 'Username',
  password: 'Password',
};

/**
 * Cloud URL, username and password. The password is read from its input at submit and the
 * input emptied at once: it never sits in React state, and the station uses it once.
 */
export function SignInForm({ cloud }: { cloud: CloudStatus | null }) {
  const { api, store } = useStation();
  const [url, setUrl] = useState(cloud?.url ?? '');
  const [username, setUsername] = useState(cloud?.username ?? '');
  const password = useRef<HTMLInputElement>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  // Signed in, the page shows the account instead of this form: nothing to close.
  const { busy, error: formError, setError: setFormError, act } = useDialogAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const input = { url, username, password: password.current?.value ?? '' };
    if (password.current) password.current.value = '';
    const problems = inputProblems('cloud.login', input);
    if (problems) {
      setErrors(problems);
      setFormError(null);
      return;
    }
    setErrors({});
    await act(
      async () => {
        const status = await api.call('cloud.login', input);
        store.putCloud(status);
        return `Signed in to ${status.url ?? url} as ${status.username ?? username}`;
      },
      (error) => {
        setErrors(fieldErrorsOf(error));
        password.current?.focus();
        return messageOf(error);
      },
    );
  };

  const errorOf = (field: string) =>
    errors[field] ? `${FIELD_LABELS[field] ?? field} ${errors[field]}` : undefined;

  return (
    <form className="sign-in form-stack" onSubmit={(e) => void submit(e)} noValidate>
      {cloud?.connection === 'SIGN_IN_REQUIRED' && (
        <div className="stall-note" role="status">
          <Icon name="alert" />
          <span>
            The cloud ended this station's session: sign in again. Nothing waiting to be synced is
            lost.
          </span>
        </div>
      )}
      <fieldset className="form-stack" disabled={busy}>
        <legend className="sr-only">Sign in to the ServicePleX cloud</legend>
        <TextField
          label="Cloud URL"
          hint="The address of your ServicePleX (ThingsBoard) server, e.g. https://cloud.example.com"
          error={errorOf('url')}
          type="url"
          autoComplete="url"
          spellCheck={false}
          value={url}
          onChange={setUrl}
        />
        <TextField
          label="Username"
          error={errorOf('username')}
          autoComplete="username"
          spellCheck={false}
          value={username}
          onChange={setUsername}
        />
        <Field
          label="Password"
          hint="Used once to sign in; never stored."
          error={errorOf('password')}
        >
          {(props) => (
            <input {...props} ref={password} type="password" autoComplete="current-password" />
          )}
        </Field>
      </fieldset>
      <FormError message={formError} />
      <div className="form-actions">
        <Button look="primary" icon="cloud" submit disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </div>
    </form>
  );
}
