import { useEffect, useId, useRef, useState } from 'react';

import { formatClock } from '../lib/format';
import { Button } from './Button';
import { Icon } from './Icon';
import { iconOf, useNotificationHistory } from './Toasts';

/**
 * The header's bell: every note shown as a toast, newest first, to read after the toast has
 * gone. Opening the list marks everything read; Escape or a click elsewhere closes it.
 */
export function NotificationBell() {
  const { log, markRead, clear } = useNotificationHistory();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const headingId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    markRead();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open, markRead, log.history.length]);

  const unread = open ? 0 : log.unread;
  return (
    <div className="bell" ref={root}>
      <button
        ref={button}
        type="button"
        className="icon-button bell-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="bell" />
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <section id={panelId} className="bell-panel" aria-labelledby={headingId}>
          <header className="bell-panel-header">
            <h2 id={headingId}>Notifications</h2>
            <Button small onClick={clear} disabled={log.history.length === 0}>
              Clear
            </Button>
          </header>
          {log.history.length === 0 ? (
            <p className="muted bell-empty">Nothing yet: finished jobs and actions show here.</p>
          ) : (
            <ol className="bell-list">
              {log.history.map((entry) => (
                <li key={entry.id} className={`bell-entry toast-${entry.kind}`}>
                  <Icon name={iconOf(entry.kind)} />
                  <time dateTime={new Date(entry.at).toISOString()}>{formatClock(entry.at)}</time>
                  <span>{entry.text}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </div>
  );
}
