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
