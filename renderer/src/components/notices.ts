/** The toasts on screen and the notification history behind the header's bell (pure state). */

export type NoticeKind = 'success' | 'error' | 'info';

/** One toast: every note on one subject, newest line first. */
export interface Notice {
  key: string;
  subject: string | null;
  kind: NoticeKind;
  lines: readonly string[];
  silent: boolean;
  updatedAt: number;
}

export interface HistoryEntry {
  id: number;
  kind: NoticeKind;
  text: string;
  at: number;
}

export interface NotificationLog {
  shown: readonly Notice[];
  /** Newest first. */
  history: readonly HistoryEntry[];
  unread: number;
  nextId: number;
}

/** The subject of every note about one job (its start, actions, end and devices). */
export function jobSubject(jobId: string): string {
  return `job:${jobId}`;
}

export const EMPTY_LOG: NotificationLog = { shown: [], history: [], unread: 0, nextId: 1 };

const MAX_SHOWN = 3;
const MAX_LINES = 3;
export const MAX_HISTORY = 200;
/** The same words on the same subject this soon again are one event said twice, not news. */
const REPEAT_WINDOW_MS = 10_000;

export const SEVERITY: Record<NoticeKind, number> = { success: 0, info: 1, error: 2 };

export interface NewNote {
  kind: NoticeKind;
  text: string;
  at: number;
  silent?: boolean;
  subject?: string;
}

export function addNotice(log: NotificationLog, note: NewNote): NotificationLog {
  const subject = note.subject ?? null;
  const key = subject ?? `text:${note.text}`;
  const repeat = log.history.some(
    (entry) =>
      entry.text === note.text && note.at - entry.at < REPEAT_WINDOW_MS && entry.kind === note.kind,
  );
  const history = repeat
    ? log.history
    : [{ id: log.nextId, kind: note.kind, text: note.text, at: note.at }, ...log.history].slice(
        0,
        MAX_HISTORY,
      );
  const before = log.shown.find((n) => n.key === key);
  const merged: Notice = before
    ? {
        ...before,
        // A failure among the notes keeps the toast red: it never reads as a plain success.
        kind: SEVERITY[note.kind] > SEVERITY[before.kind] ? note.kind : before.kind,
        lines: [note.text, ...before.lines.filter((l) => l !== note.text)].slice(0, MAX_LINES),
        silent: before.silent && (note.silent ?? false),
        updatedAt: note.at,
      }
    : {
        key,
        subject,
        kind: note.kind,
        lines: [note.text],
        silent: note.silent ?? false,
        updatedAt: note.at,
      };
  return {
    shown: [...log.shown.filter((n) => n.key !== key), merged].slice(-MAX_SHOWN),
    history,
    unread: repeat ? log.unread : log.unread + 1,
    nextId: repeat ? log.nextId : log.nextId + 1,
  };
}

export function dismissNotice(log: NotificationLog, key: string): NotificationLog {
  return { ...log, shown: log.shown.filter((n) => n.key !== key) };
}

export function readAll(log: NotificationLog): NotificationLog {
  return log.unread === 0 ? log : { ...log, unread: 0 };
}
