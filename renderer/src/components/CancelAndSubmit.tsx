import type { ReactNode } from 'react';

import { Button } from './Button';
import type { IconName } from './Icon';

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
      <Button onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
      <Button submit look="primary" icon={icon} disabled={busy || !canSubmit}>
        {children}
      </Button>
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
      <Button onClick={onKeep} disabled={busy} data-autofocus>
        {keepLabel}
      </Button>
      <Button look="danger" icon={icon} onClick={onDestroy} disabled={busy || !canDestroy}>
        {children}
      </Button>
    </>
  );
}
