import type { ReactNode } from 'react';

import { Button } from './Button';
import { Dialog } from './Dialog';
import type { IconName } from './Icon';

/**
 * A dialog that asks before destroying something (delete a package, cancel a job). Its footer
 * puts the way back first and focused, so Enter or a hurried click never destroys anything;
 * then the destructive action, in red, off while it runs or while it can't go yet.
 */
export function ConfirmDialog({
  title,
  onClose,
  busy,
  keepLabel,
  onConfirm,
  canConfirm = true,
  icon,
  confirmLabel,
  children,
}: {
  title: string;
  onClose: () => void;
  busy: boolean;
  /** The way back's words ("Keep the job"). */
  keepLabel: string;
  onConfirm: () => void;
  canConfirm?: boolean;
  icon: IconName;
  /** The destructive button's words. */
  confirmLabel: string;
  children: ReactNode;
}) {
  return (
    <Dialog
      title={title}
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <Button onClick={onClose} disabled={busy} data-autofocus>
            {keepLabel}
          </Button>
          <Button look="danger" icon={icon} onClick={onConfirm} disabled={busy || !canConfirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
