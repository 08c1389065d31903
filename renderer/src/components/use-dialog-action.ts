import { useState } from 'react';

import { messageOf } from '../api/validate-input';
import { type ToastKind, useNotifier } from './Toasts';

/**
 * What a finished action says in its toast: its words, and what it is about (`subject`) when
 * later notes on the same thing should share its toast; 'info' when it did less than asked.
 */
export type ActionNote = string | { text: string; subject?: string; kind?: ToastKind };

function noteOf(note: ActionNote): { text: string; subject?: string; kind: ToastKind } {
  return typeof note === 'string' ? { text: note, kind: 'success' } : { kind: 'success', ...note };
}

/**
 * A dialog's (or form's) one action against the station: busy while it runs (buttons off,
 * Escape held), then a toast and `onDone` (the dialog closes); on failure the reason shows in
 * the form and the buttons come back so the technician can retry or cancel.
 */
export function useDialogAction(onDone?: () => void) {
  const { toast } = useNotifier();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /**
   * `action` does the work and returns what the toast says. `onError` puts a refusal where it
   * belongs (e.g. under the field it names) and returns what the form itself says, if anything.
   */
  const act = async (
    action: () => Promise<ActionNote>,
    onError: (error: unknown) => string | null = messageOf,
  ) => {
    setBusy(true);
    setError(null);
    try {
      const { text, subject, kind } = noteOf(await action());
      toast(kind, text, subject ? { subject } : undefined);
      onDone?.();
    } catch (e) {
      setError(onError(e));
      setBusy(false);
    }
  };
  return { busy, error, setError, act };
}

/**
 * A page's action against the station (a row's or a card's button): which one runs (`key`;
 * the buttons are off meanwhile), then its outcome in a toast, success or failure; the page
 * stays as it is.
 */
export function usePageAction<K = true>() {
  const { toast } = useNotifier();
  const [busy, setBusy] = useState<K | null>(null);
  /**
   * `failure` starts the error toast ("Could not sign out"), the station's reason follows;
   * `subject` makes both toasts share the one about the same thing.
   */
  const run = async (
    key: K,
    action: () => Promise<ActionNote | null>,
    failure: string,
    subject?: string,
  ) => {
    setBusy(key);
    const options = subject ? { subject } : undefined;
    try {
      const note = await action();
      if (note !== null) {
        const { text, kind, subject: about } = noteOf(note);
        toast(kind, text, about ? { subject: about } : options);
      }
    } catch (error) {
      toast('error', `${failure}: ${messageOf(error)}`, options);
    } finally {
      setBusy(null);
    }
  };
  return { busy, run };
}
