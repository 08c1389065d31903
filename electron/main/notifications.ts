/** Electron wiring of the OS notifications: a job finished, a device failed, a job paused itself. */
import { type BrowserWindow, Notification } from 'electron';

import type { StationEvent } from '../../shared/api/events';
import { type Notice, UpdateNotices } from './update-notices';

export function notifyUpdateOutcomes(
  window: () => BrowserWindow | null,
): (event: StationEvent) => void {
  const notices = new UpdateNotices(Date.now());
  return (event) => {
    let found: Notice[];
    if (event.type === 'executions.changed') found = notices.takeExecutions(event.payload);
    else if (event.type === 'jobs.changed') found = notices.takeJobs(event.payload);
    else return;
    // In front of the technician the UI already says it (toast, live region).
    if (found.length === 0 || !Notification.isSupported() || window()?.isFocused()) return;
    for (const notice of found) {
      const notification = new Notification({ title: notice.title, body: notice.body });
      notification.on('click', () => {
        const current = window();
        if (!current) return;
        if (current.isMinimized()) current.restore();
        current.show();
        current.focus();
      });
      notification.show();
    }
  };
}
