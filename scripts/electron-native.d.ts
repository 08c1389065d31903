/** Whether better-sqlite3 opens a database inside Electron (run as Node); `detail` says why not. */
export function sqliteLoadsInElectron(binary: string): { ok: boolean; detail: string };
/** Rebuilds better-sqlite3 for Electron (electron-builder install-app-deps); true on success. */
export function rebuildSqliteForElectron(): boolean;
/** Rebuilds better-sqlite3 for Node (npm rebuild better-sqlite3); true on success. */
export function rebuildSqliteForNode(): boolean;
