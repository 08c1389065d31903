import type { ReactNode } from 'react';

import { Field, type FieldFrame } from './Field';

/**
 * A choice from a list in a Field (label bound, hint and error linked). `children` are its
 * options; their values are the type `V` that `onChange` receives.
 */
export function SelectField<V extends string>({
  label,
  hint,
  error,
  className,
  value,
  onChange,
  children,
}: FieldFrame & {
  value: V;
  onChange: (value: V) => void;
  children: ReactNode;
}) {
  return (
    <Field label={label} hint={hint} error={error} className={className}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value as V)}>
          {children}
        </select>
      )}
    </Field>
  );
}
