import type { ReactNode } from 'react';

import { Icon, type IconName } from './Icon';

/**
 * A form dialog's footer: Cancel, then the primary submit button. Both are off while the action
 * runs (so it can't be sent twice or abandoned half way); submit also while the form can't go.
 */
export function CancelAndSubmit({
  onCancel,
  busy,
  canSubmit = true,
  icon,
  children,
}: {
  onCancel: () => void;
  busy: boolean;
  canSubmit?: boolean;
  icon: IconName;
  /** The submit button's words. */
  children: ReactNode;
}) {
  return (
    <>
      <button type="button" className="button" onClick={onCancel} disabled={busy}>
        Cancel
      </button>
      <button type="submit" className="button button-primary" disabled={busy || !canSubmit}>
        <Icon name={icon} />
        {children}
      </button>
    </>
  );
}

/**
 * A confirmation's footer (delete, cancel a job): the way back first and focused, so Enter or a
 * hurried click never destroys anything; then the destructive action, in red.
 */
export function KeepOrDestroy({
  keepLabel,
  onKeep,
  onDestroy,
  busy,
  canDestroy = true,
  icon,
  children,
}: {
  keepLabel: string;
  onKeep: () => void;
  onDestroy: () => void;
  busy: boolean;
  canDestroy?: boolean;
  icon: IconName;
  /** The destructive button's words. */
  children: ReactNode;
}) {
  return (
    <>
      <button type="button" className="button" onClick={onKeep} disabled={busy} data-autofocus>
        {keepLabel}
      </button>
      <button
        type="button"
        className="button button-danger"
        onClick={onDestroy}
        disabled={busy || !canDestroy}
      >
        <Icon name={icon} />
        {children}
      </button>
    </>
  );
}
