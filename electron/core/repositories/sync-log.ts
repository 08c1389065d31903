import type { Db } from '../storage/database';
import { type StatementCache, statementCache } from '../storage/statements';

export interface LogEntry {
  id: number;
  at: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** The newest entries kept; older ones are trimmed every hundred writes. */
const MAX_LOG_ENTRIES = 2000;

/** What the sync did, for the technician (the Sync page's log). */
export class SyncLog {
  private readonly sql: StatementCache;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  append(level: LogEntry['level'], message: string, now = Date.now()): LogEntry {
    const info = this.sql('INSERT INTO sync_log (at, level, message) VALUES (?, ?, ?)').run(
      now,
      level,
      message,
    );
    const id = Number(info.lastInsertRowid);
    if (id % 100 === 0) this.sql('DELETE FROM sync_log WHERE id <= ?').run(id - MAX_LOG_ENTRIES);
    return { id, at: now, level, message };
  }

  recent(limit: number): LogEntry[] {
    return this.sql<[number], LogEntry>(
      'SELECT id, at, level, message FROM sync_log ORDER BY id DESC LIMIT ?',
    ).all(limit);
  }
}
