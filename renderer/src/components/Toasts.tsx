import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { Icon } from './Icon';

export type ToastKind = 'success' | 'error' | 'info';

interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  /** Shown but not read out: the same words went to the live region already. */
  silent: boolean;
}

interface Notifier {
  /** A short note in the corner that something finished (also read out by screen readers). */
  toast(kind: ToastKind, text: string, options?: { silent?: boolean }): void;
  /** Read out by screen readers only (e.g. every update that finished). */
  announce(text: string): void;
}

const NotifierContext = createContext<Notifier | null>(null);

/**
 * Where the toasts go while a modal dialog is open. showModal() puts the dialog in the top layer
 * and makes the rest of the page inert: toasts left behind would sit under its backdrop, be
 * neither clickable nor read out. Each open dialog offers a spot inside itself (the last one
 * opened wins) and the toasts and the live region move there until it closes.
 */
const ToastOutletContext = createContext<((element: HTMLElement) => () => void) | null>(null);

/** A callback ref for a dialog's toast spot: toasts render into it while the dialog is open. */
export function useToastOutlet(): (element: HTMLElement | null) => (() => void) | undefined {
  const register = useContext(ToastOutletContext);
  return useCallback(
    (element: HTMLElement | null) => (element && register ? register(element) : undefined),
    [register],
  );
}

const TOAST_MS = 6_000;
const MAX_TOASTS = 4;

export function useNotifier(): Notifier {
  const value = useContext(NotifierContext);
  if (!value) throw new Error('useNotifier outside <NotifierProvider>');
  return value;
}

export function NotifierProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const [outlets, setOutlets] = useState<readonly HTMLElement[]>([]);
  const nextId = useRef(1);

  const registerOutlet = useCallback((element: HTMLElement) => {
    setOutlets((list) => [...list, element]);
    return () => setOutlets((list) => list.filter((e) => e !== element));
  }, []);
  const outlet = outlets[outlets.length - 1] ?? null;

  const dismiss = useCallback((id: number) => {
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);

  const notifier = useMemo<Notifier>(
    () => ({
      toast(kind, text, options) {
        const id = nextId.current++;
        const silent = options?.silent ?? false;
        setToasts((list) => [...list, { id, kind, text, silent }].slice(-MAX_TOASTS));
      },
      announce(text) {
        setAnnouncement(text);
      },
    }),
    [],
  );

  const layer = (
    <>
      <div className="toasts">
        {/* Notes already said by the live region below sit outside the announced stack. */}
        <div className="toast-stack">
          {toasts
            .filter((toast) => toast.silent)
            .map((toast) => (
              <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
            ))}
        </div>
        <div className="toast-stack" role="status" aria-live="polite">
          {toasts
            .filter((toast) => !toast.silent)
            .map((toast) => (
              <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
            ))}
        </div>
      </div>
      <div className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
    </>
  );

  return (
    <NotifierContext.Provider value={notifier}>
      <ToastOutletContext.Provider value={registerOutlet}>{children}</ToastOutletContext.Provider>
      {outlet ? createPortal(layer, outlet) : layer}
    </NotifierContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast.id, onDismiss]);
  const icon = toast.kind === 'success' ? 'updated' : toast.kind === 'error' ? 'failed' : 'info';
  return (
    <div className={`toast toast-${toast.kind}`}>
      <Icon name={icon} />
      <span className="toast-text">{toast.text}</span>
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss"
        onClick={() => onDismiss(toast.id)}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
