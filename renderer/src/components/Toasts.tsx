import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { Icon } from './Icon';
import {
  addNotice,
  dismissNotice,
  type Notice,
  type NoticeKind,
  type NotificationLog,
  EMPTY_LOG,
  readAll,
} from './notices';

export type ToastKind = NoticeKind;

export interface ToastOptions {
  /** Shown but not read out: the same words went to the live region already. */
  silent?: boolean;
  /**
   * What the note is about (e.g. `job:<id>`): notes on one subject share one toast, so a job
   * that is canceled, ends and reports its devices shows one toast, not four.
   */
  subject?: string;
}

interface Notifier {
  /** A short note under the header that something finished (also read out by screen readers). */
  toast(kind: ToastKind, text: string, options?: ToastOptions): void;
  /** Read out by screen readers only (e.g. every update that finished). */
  announce(text: string): void;
}

interface NotificationHistory {
  log: NotificationLog;
  /** The technician opened the list: everything in it counts as read. */
  markRead(): void;
  clear(): void;
}

const NotifierContext = createContext<Notifier | null>(null);
const HistoryContext = createContext<NotificationHistory | null>(null);

/**
 * Where the toasts go. The page offers a spot under its header (in the flow, so toasts push the
 * page down instead of covering buttons or table rows); an open modal dialog offers one under its
 * title, since showModal() makes the rest of the page inert and toasts left there would be
 * neither clickable nor read out. The last spot offered wins until it goes.
 */
const ToastOutletContext = createContext<((element: HTMLElement) => () => void) | null>(null);

/** A callback ref for a toast spot: toasts render into it while it is mounted. */
export function useToastOutlet(): (element: HTMLElement | null) => (() => void) | undefined {
  const register = useContext(ToastOutletContext);
  return useCallback(
    (element: HTMLElement | null) => (element && register ? register(element) : undefined),
    [register],
  );
}

const TOAST_MS = 6_000;

export function useNotifier(): Notifier {
  const value = useContext(NotifierContext);
  if (!value) throw new Error('useNotifier outside <NotifierProvider>');
  return value;
}

export function useNotificationHistory(): NotificationHistory {
  const value = useContext(HistoryContext);
  if (!value) throw new Error('useNotificationHistory outside <NotifierProvider>');
  return value;
}

export function NotifierProvider({ children }: { children: ReactNode }) {
  const [log, setLog] = useState<NotificationLog>(EMPTY_LOG);
  const [announcement, setAnnouncement] = useState('');
  const [outlets, setOutlets] = useState<readonly HTMLElement[]>([]);

  const registerOutlet = useCallback((element: HTMLElement) => {
    setOutlets((list) => [...list, element]);
    return () => setOutlets((list) => list.filter((e) => e !== element));
  }, []);
  const outlet = outlets[outlets.length - 1] ?? null;

  const dismiss = useCallback((key: string) => setLog((l) => dismissNotice(l, key)), []);

  const notifier = useMemo<Notifier>(
    () => ({
      toast(kind, text, options) {
        const at = Date.now();
        setLog((l) => addNotice(l, { kind, text, at, ...options }));
      },
      announce(text) {
        setAnnouncement(text);
      },
    }),
    [],
  );
  const history = useMemo<NotificationHistory>(
    () => ({
      log,
      markRead: () => setLog((l) => readAll(l)),
      clear: () => setLog((l) => ({ ...EMPTY_LOG, shown: l.shown })),
    }),
    [log],
  );

  const layer = (
    <>
      <div className={outlet ? 'toasts' : 'toasts toasts-floating'}>
        {/* Notes already said by the live region below sit outside the announced stack. */}
        <div className="toast-stack">
          {log.shown
            .filter((notice) => notice.silent)
            .map((notice) => (
              <ToastItem key={notice.key} notice={notice} onDismiss={dismiss} />
            ))}
        </div>
        <div className="toast-stack" role="status" aria-live="polite">
          {log.shown
            .filter((notice) => !notice.silent)
            .map((notice) => (
              <ToastItem key={notice.key} notice={notice} onDismiss={dismiss} />
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
      <HistoryContext.Provider value={history}>
        <ToastOutletContext.Provider value={registerOutlet}>{children}</ToastOutletContext.Provider>
      </HistoryContext.Provider>
      {outlet ? createPortal(layer, outlet) : layer}
    </NotifierContext.Provider>
  );
}

function ToastItem({ notice, onDismiss }: { notice: Notice; onDismiss: (key: string) => void }) {
  // A merged note starts its time again: the newest line deserves its full 6 s.
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(notice.key), TOAST_MS);
    return () => clearTimeout(timer);
  }, [notice.key, notice.updatedAt, onDismiss]);
  const [latest, ...earlier] = notice.lines;
  return (
    <div className={`toast toast-${notice.kind}`} data-subject={notice.subject ?? undefined}>
      <Icon name={iconOf(notice.kind)} />
      <div className="toast-text">
        <span>{latest}</span>
        {earlier.map((line) => (
          <span key={line} className="toast-earlier">
            {line}
          </span>
        ))}
      </div>
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss"
        onClick={() => onDismiss(notice.key)}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}

export function iconOf(kind: NoticeKind) {
  return kind === 'success' ? 'updated' : kind === 'error' ? 'failed' : 'info';
}

/** The page's toast spot, under the header (see ToastOutletContext). */
export function PageToastOutlet() {
  return <div ref={useToastOutlet()} className="page-toast-outlet" />;
}
