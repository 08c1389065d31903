import { type ReactElement, type ReactNode, useId } from 'react';

import { Icon } from './Icon';

export interface FieldControlProps {
  id: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

/** What a field shows around its control, whatever the control is. */
export interface FieldFrame {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  /** On the field (e.g. a grid span). */
  className?: string;
}

/**
 * A visible label bound to its control, an optional hint, and the field's error right under it
 * (announced, and linked with aria-describedby so it is read with the control).
 */
export function Field({
  label,
  hint,
  error,
  children,
  className,
}: FieldFrame & { children: (props: FieldControlProps) => ReactElement }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(error ? { 'aria-invalid': true } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      <FieldErrorLine id={errorId} error={error} />
    </div>
  );
}

/** A field's error under it, announced, with its icon (nothing when there is none). */
export function FieldErrorLine({ id, error }: { id: string; error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p id={id} className="field-error" role="alert">
      <Icon name="alert" />
      {error}
    </p>
  );
}

/** A form-level problem (from the station) shown above the buttons. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert">
      <Icon name="alert" />
      <span>{message}</span>
    </div>
  );
}
