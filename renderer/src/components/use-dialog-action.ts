import { useState } from 'react';
import { messageOf } from '../api/validate-input';
import { useNotifier } from './Toasts';

/**
 * A dialog's one action against the station: busy while it runs (buttons off, Escape held),
 * then a success toast and the dialog closes; on failure the reason shows in the dialog and the
 * buttons come back so the technician can retry or cancel.
 */
export function useDialogAction(onClose: () => void) {
  const { toast } = useNotifier();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /**
   * `action` does the work and returns the words of the success toast, and what it is about
   * (`subject`) when later notes on the same thing should share its toast.
   */
  const act = async (action: () => Promise<string | { text: string; subject: string }>) => {
    setBusy(true);
    setError(null);
    try {
      const done = await action();
      if (typeof done === 'string') toast('success', done);
      else toast('success', done.text, { subject: done.subject });
      onClose();
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return { busy, error, setError, act };
}
