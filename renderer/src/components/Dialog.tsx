import { type FormEvent, type ReactNode, useEffect, useId, useRef } from 'react';

import { Icon } from './Icon';
import { useToastOutlet } from './Toasts';

/**
 * A modal on the native <dialog>: showModal() makes the rest of the page inert (focus stays
 * inside) and Escape closes it. Focus returns to whatever opened it.
 */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  onSubmit,
  wide = false,
  busy = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  /** When given, the body is a form and Enter submits it. */
  onSubmit?: () => void;
  wide?: boolean;
  /** While an action runs, Escape doesn't close (the footer offers Cancel instead). */
  busy?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const toastOutlet = useToastOutlet();
  const onCloseRef = useRef(onClose);
  const busyRef = useRef(busy);
  useEffect(() => {
    onCloseRef.current = onClose;
    busyRef.current = busy;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.showModal();
    // showModal() focuses the first focusable element, the header's Close button: start on the
    // first field instead (or on what the dialog marks), as a technician expects to type at once.
    const first = dialog.querySelector<HTMLElement>(
      '[data-autofocus], .dialog-body input:not([type=hidden]):not(:disabled), .dialog-body select:not(:disabled), .dialog-body textarea',
    );
    first?.focus();
    const onCancel = (event: Event) => {
      event.preventDefault();
      if (!busyRef.current) onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit?.();
  };

  const body = (
    <>
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        {/* A toast lies over the title while the dialog is open: never over a field or button. */}
        <div ref={toastOutlet} className="toast-spot dialog-toast-spot" />
        <button
          type="button"
          className="icon-button"
          onClick={onClose}
          aria-label="Close"
          disabled={busy}
        >
          <Icon name="close" />
        </button>
      </header>
      <div className="dialog-body">{children}</div>
      <footer className="dialog-footer">{footer}</footer>
    </>
  );

  return (
    <dialog ref={ref} className={wide ? 'dialog dialog-wide' : 'dialog'} aria-labelledby={titleId}>
      {onSubmit ? (
        <form onSubmit={submit} noValidate>
          {body}
        </form>
      ) : (
        body
      )}
    </dialog>
  );
}
