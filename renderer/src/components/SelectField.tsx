import type { ReactNode } from 'react';

import { Field, type FieldFrame } from './Field';

/**
 * A choice from a list in a Field (label bound, hint and error linked). `children` are its
 * options; their values are the type `V` that `onChange` receives.
 */
export function SelectField<V extends string>({
  value,
  onChange,
  children,
  ...field
}: FieldFrame & {
  value: V;
  onChange: (value: V) => void;
  children: ReactNode;
}) {
  return (
    <Field {...field}>
      {(props) => (
        <select {...props} value={value} onChange={(e) => onChange(e.target.value as V)}>
          {children}
        </select>
      )}
    </Field>
  );
}
