import { Field, type FieldFrame } from './Field';

/**
 * A one-line text box in a Field (label bound, hint and error linked). Browser autofill stays off
 * unless `autoComplete` asks for it: most are device names, versions and tokens, not personal
 * details; a sign-in's address and username are.
 */
export function TextField({
  value,
  onChange,
  mono = false,
  autoFocus = false,
  spellCheck,
  type = 'text',
  autoComplete = 'off',
  ...field
}: FieldFrame & {
  value: string;
  onChange: (value: string) => void;
  /** Monospaced, for identifiers that must be read character by character. */
  mono?: boolean;
  /** The control the dialog focuses first. */
  autoFocus?: boolean;
  spellCheck?: boolean;
  type?: 'text' | 'url';
  autoComplete?: 'off' | 'url' | 'username';
}) {
  return (
    <Field {...field}>
      {(props) => (
        <input
          {...props}
          type={type}
          {...(mono ? { className: 'mono' } : {})}
          autoComplete={autoComplete}
          {...(autoFocus ? { 'data-autofocus': true } : {})}
          {...(spellCheck === undefined ? {} : { spellCheck })}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
