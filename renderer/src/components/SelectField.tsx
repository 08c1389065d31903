import type { ReactNode } from 'react';

import { Field, type FieldFrame } from './Field';

/**
 * A choice from a list in a Field (label bound, hint and error linked). `children` are its
 * options; their values are the type `V` that `onChange` receives.
 */
export function SelectField<V extends string>({
  value,
  onChange,
  disabled,
  children,
  ...field
}: FieldFrame & {
  value: V;
  onChange: (value: V) => void;
  /** While the form is busy, or the choice does not apply. */
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <Field {...field}>
      {(props) => (
        <select
          {...props}
          value={value}
          onChange={(e) => onChange(e.target.value as V)}
          disabled={disabled}
        >
          {children}
        </select>
      )}
    </Field>
  );
}
