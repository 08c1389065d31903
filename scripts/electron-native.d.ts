/** Where npm start keeps the Electron build of better-sqlite3, beside Node's. */
export const ELECTRON_BINDING: string;
/**
 * Whether better-sqlite3 opens a database inside Electron (run as Node) with the given addon
 * (default: ELECTRON_BINDING; '' for node_modules' own); `detail` says why not.
 */
export function sqliteLoadsInElectron(
  binary: string,
  binding?: string,
): { ok: boolean; detail: string };
/** Builds the Electron copy of better-sqlite3 beside Node's; true on success. */
export function buildSqliteForElectron(): boolean;
/** Rebuilds node_modules' better-sqlite3 for Node (after packaging); true on success. */
export function rebuildSqliteForNode(): boolean;
