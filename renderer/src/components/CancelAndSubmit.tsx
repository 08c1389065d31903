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
