import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { createPortal } from 'react-dom';

import { Icon } from './Icon';
import {
  addNotice,
  dismissNotice,
  EMPTY_LOG,
  type Notice,
  type NoticeKind,
  type NotificationLog,
  readAll,
  SEVERITY,
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
  /** A short note over the page's title that something finished (also read out by screen readers). */
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
 * Where the toast shows: a spot over text, never over a control, offered by what is on screen.
 * The page header offers the room of its title and description (left of its primary action);
 * an open modal dialog offers its title (showModal() makes the rest of the page inert, so a
 * toast left there would be neither clickable nor read out). The toast lies over that text for
 * a few seconds and nothing moves. The last spot offered wins until it goes.
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

  const shown = pickShown(log.shown);
  const others = log.shown.length - (shown ? 1 : 0);
  const toast = shown && (
    <ToastItem key={shown.key} notice={shown} others={others} onDismiss={dismiss} />
  );
  const layer = (
    <>
      <div className={outlet ? 'toasts' : 'toasts toasts-floating'}>
        {/* A note already said by the live region below sits outside the announced one. */}
        {shown?.silent && toast}
        <div className="toast-stack" role="status" aria-live="polite">
          {shown && !shown.silent && toast}
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

/** The toast on screen: the most serious note (a failure outlives a later success), newest first. */
function pickShown(notices: readonly Notice[]): Notice | null {
  let pick: Notice | null = null;
  for (const notice of notices)
    if (!pick || SEVERITY[notice.kind] >= SEVERITY[pick.kind]) pick = notice;
  return pick;
}

function ToastItem({
  notice,
  others,
  onDismiss,
}: {
  notice: Notice;
  /** Other notes waiting behind this one (also in the bell). */
  others: number;
  onDismiss: (key: string) => void;
}) {
  // A merged note starts its time again: the newest line deserves its full 6 s.
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(notice.key), TOAST_MS);
    return () => clearTimeout(timer);
  }, [notice.key, notice.updatedAt, onDismiss]);
  const [latest, ...earlier] = notice.lines;
  return (
    <div className={`toast toast-${notice.kind}`} data-subject={notice.subject ?? undefined}>
      <Icon name={iconOf(notice.kind)} />
      <div className="toast-text" title={notice.lines.join('\n')}>
        <span>{latest}</span>
        {earlier.map((line) => (
          <span key={line} className="toast-earlier">
            {line}
          </span>
        ))}
      </div>
      {others > 0 && (
        <span className="toast-more">{others === 1 ? '+1 more' : `+${others} more`}</span>
      )}
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
